import type { ColumnType, Selectable } from 'kysely';

export type PlanState = 'trialing' | 'trial_expired' | 'active' | 'past_due' | 'read_only' | 'canceled' | 'ended' | 'pending_erasure';
export type BillingInterval = 'month' | 'year';

export interface OrgBillingTable {
  org_id: string;
  state: PlanState;
  plan_id: string | null;
  billing_interval: BillingInterval | null;
  trial_ends_at: Date;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  current_period_end: Date | null;
  past_due_since: Date | null;
  grace_ends_at: Date | null;
  canceled_at: Date | null;
  access_ends_at: Date | null;
  erase_after: Date | null;
  notices_sent: ColumnType<string[], string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}
export type OrgBillingRow = Selectable<OrgBillingTable>;

export interface BillingDirectoryTable {
  org_id: string;
  stripe_customer_id: string | null;
  next_due_at: Date | null;
}

export interface BillingWebhookEventsTable {
  event_id: string;
  type: string;
  org_id: string | null;
  received_at: Date;
}
