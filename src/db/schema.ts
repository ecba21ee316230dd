// The whole database as Kysely sees it: one line per table, each table typed in its own slice.
import type { OrganisationsTable } from '../teams/organisations.table.js';

export interface Database {
  organisations: OrganisationsTable;
}
