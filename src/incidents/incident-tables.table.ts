import type { ColumnType, Selectable } from 'kysely';

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type IncidentSeverity = 'minor' | 'major' | 'critical';

// Mowt's own record of an incident (operators write it; the public part shows on /status).
export interface IncidentsTable {
  id: ColumnType<string, string | undefined, never>;
  title: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  started_at: Date;
  resolved_at: Date | null;
  personal_data_breach: boolean;
  breach_detected_at: Date | null;
  public: boolean;
  postmortem: string | null;
  postmortem_published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
export type Incident = Selectable<IncidentsTable>;

export interface IncidentUpdatesTable {
  id: ColumnType<string, string | undefined, never>;
  incident_id: string;
  at: Date;
  status: string;
  message: string;
}

export interface IncidentOrganisationsTable {
  incident_id: string;
  org_id: string;
  notice_sent_at: Date | null;
  notice_recipients: number | null;
  overdue_alerted_at: Date | null;
}

// The breach notice of one affected organisation (tenant table).
export interface BreachNoticesTable {
  id: ColumnType<string, string | undefined, never>;
  incident_id: string;
  org_id: string;
  subject: string;
  body: string;
  drafted_at: Date;
  sent_at: Date | null;
  recipients: number | null;
}
