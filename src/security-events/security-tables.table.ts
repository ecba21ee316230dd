import type { ColumnType, Selectable } from 'kysely';
import type { Severity } from './security-events-schemas.js';

export type { Severity };

// A security event of one organisation (tenant table, forced RLS). `summary` holds counts only; anything
// identifying a person (IP address, user agent, country) is in details_encrypted under the org's key.
export interface SecurityEventsTable {
  id: ColumnType<string, string | undefined, never>;
  org_id: string;
  rule: string;
  severity: Severity;
  occurred_at: Date;
  subject_type: string | null;
  subject_id: string | null;
  summary: string;
  details_encrypted: string | null;
  dedupe_key: string;
  alerted_at: Date | null;
  alert_error: string | null;
}
export type SecurityEventRow = Selectable<SecurityEventsTable>;

// Where an organisation's alerts go besides its Admins' mail: a Slack-compatible webhook and its signing secret.
export interface SecurityAlertSettingsTable {
  org_id: string;
  webhook_url_encrypted: string;
  webhook_secret_encrypted: string;
  updated_by: string | null;
  updated_at: Date;
}

// Uses of one API token per hour (the 7-day baseline).
export interface SecurityTokenUsageTable {
  org_id: string;
  token_id: string;
  hour: Date;
  uses: number;
}

// Devices and countries a user has signed in from, as blind indexes.
export interface SecuritySeenValuesTable {
  user_id: string;
  kind: 'device' | 'country';
  value_index: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

// Cross-organisation patterns for Mowt's on-call channel (no tenant data: counts and the probing address).
export interface SecurityOncallEventsTable {
  id: ColumnType<string, string | undefined, never>;
  rule: string;
  severity: Severity;
  occurred_at: Date;
  summary: string;
  details: ColumnType<Record<string, unknown>, string, string>;
  dedupe_key: string;
  alerted_at: Date | null;
  alert_error: string | null;
}
