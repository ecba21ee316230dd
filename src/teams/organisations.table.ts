import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

export interface OrganisationsTable {
  id: ColumnType<string, string | undefined, never>;
  name: string;
  reporting_currency: ColumnType<string, string | undefined, string>;
  timezone: ColumnType<string, string | undefined, string>;
  data_region: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type Organisation = Selectable<OrganisationsTable>;
export type NewOrganisation = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;
