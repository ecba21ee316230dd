// saved_views and chart_annotations (migration 0008). Content is one ciphertext of JSON per row.
import type { ColumnType, Generated, Selectable } from 'kysely';

export interface SavedViewsTable {
  id: Generated<string>;
  org_id: string;
  content_encrypted: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}
export type SavedViewRow = Selectable<SavedViewsTable>;

export interface ChartAnnotationsTable {
  id: Generated<string>;
  org_id: string;
  /** PostgreSQL `date`; read back as text (see the repositories) so no time zone can shift the day. */
  on_date: ColumnType<string, string, string>;
  content_encrypted: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}
export type ChartAnnotationRow = Selectable<ChartAnnotationsTable>;
