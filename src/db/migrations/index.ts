// Every migration, in order. Static imports (not a folder scan) so the built app and tests see the same list.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_crypto.js';
import * as m0003 from './0003_auth.js';
import * as m0004 from './0004_teams_audit.js';
import * as m0005 from './0005_stripe.js';
import * as m0006 from './0006_backup.js';
import * as m0007 from './0007_analytics.js';
import * as m0008 from './0008_views_annotations.js';
import * as m0011 from './0011_api_tokens.js';
import * as m0012 from './0012_security_ops.js';
import * as m0013 from './0013_signup_billing.js';
import * as m0014 from './0014_fx_rates_import.js';
import * as m0015 from './0015_stripe_bulk_writes.js';
import * as m0016 from './0016_stripe_connection_guard.js';
import * as m0017 from './0017_customer_personal_columns.js';
import * as m0018 from './0018_directory_livemode.js';
import * as m0019 from './0019_cash_disputes.js';
import * as m0020 from './0020_stripe_payload_minimisation.js';
import * as m0021 from './0021_stripe_id_collation.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_crypto': m0002,
  '0003_auth': m0003,
  '0004_teams_audit': m0004,
  '0005_stripe': m0005,
  '0006_backup': m0006,
  '0007_analytics': m0007,
  '0008_views_annotations': m0008,
  '0011_api_tokens': m0011,
  '0012_security_ops': m0012,
  '0013_signup_billing': m0013,
  '0014_fx_rates_import': m0014,
  '0015_stripe_bulk_writes': m0015,
  '0016_stripe_connection_guard': m0016,
  '0017_customer_personal_columns': m0017,
  '0018_directory_livemode': m0018,
  '0019_cash_disputes': m0019,
  '0020_stripe_payload_minimisation': m0020,
  '0021_stripe_id_collation': m0021,
};
