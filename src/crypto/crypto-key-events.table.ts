import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Append-only record of key lifecycle events (created, rotated, re-wrapped, retired, destroyed) for the audit log. */
export interface CryptoKeyEventsTable {
  id: Generated<number>;
  occurred_at: ColumnType<Date, Date, never>;
  org_id: string | null;
  event: string;
  purpose: string | null;
  version: number | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
}
export type CryptoKeyEvent = Selectable<CryptoKeyEventsTable>;
export type NewCryptoKeyEvent = Insertable<CryptoKeyEventsTable>;
