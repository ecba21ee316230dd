// stripe_connections: one Stripe account connected to an organisation. Tokens, keys and the pasted webhook
// secret are ciphertexts under the organisation's 'stripe' key (src/crypto); only the masked form is clear.
import type { ColumnType, Generated, Selectable } from 'kysely';

export type ConnectionKind = 'oauth' | 'restricted_key';
export type ConnectionStatus = 'active' | 'error' | 'revoked';

export interface StripeConnectionsTable {
  id: Generated<string>;
  org_id: string;
  kind: ConnectionKind;
  stripe_account_id: string;
  livemode: boolean;
  /** Unix seconds; the floor of the sync progress estimate. */
  account_created: ColumnType<string | number | null, number | null | undefined, number | null>;
  label: string;
  is_demo: ColumnType<boolean, boolean | undefined, boolean>;
  token_encrypted: string | null;
  refresh_token_encrypted: string | null;
  token_expires_at: Date | null;
  token_masked: string;
  webhook_secret_encrypted: string | null;
  status: ConnectionStatus;
  last_error: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}
export type StripeConnectionRow = Selectable<StripeConnectionsTable>;

/** System directory: no secrets, just which organisation a connection / Stripe account belongs to. */
export interface StripeConnectionDirectoryTable {
  connection_id: string;
  org_id: string;
  stripe_account_id: string;
  kind: ConnectionKind;
  /** The connection's Stripe mode, which never changes: webhooks are routed by account and mode. */
  livemode: boolean;
}

export interface StripeOAuthStatesTable {
  id: Generated<string>;
  org_id: string;
  state_hash: string;
  session_id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}
