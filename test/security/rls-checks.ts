// The two tenant-isolation checks over a live database, as functions returning what is wrong (so a test can
// also show they fail when a policy is sabotaged):
// - structural: every table with an org_id column (and organisations itself) forces RLS and has a policy;
//   every other table, and any tenant-shaped table without RLS, is allow-listed with a written reason;
// - data: with no organisation set nothing tenant-owned is visible, and with organisation A set no row of
//   any other organisation is.
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { withOrg, withoutOrg } from '../../src/db/tenant.js';
import { withUser } from '../../src/teams/index.js';

/** Tables that hold no tenant data, or are tenant-shaped but deliberately without RLS, and why. */
export const NOT_TENANT_TABLES: Record<string, string> = {
  kysely_migration: 'migration bookkeeping (Kysely)',
  kysely_migration_lock: 'migration bookkeeping (Kysely)',
  users: 'people, not organisations: one user may belong to several organisations; addresses encrypted',
  user_passwords: 'per-user secret (bcrypt hash), read only by the login path',
  user_totp: 'per-user secret (encrypted TOTP seed)',
  recovery_codes: 'per-user hashed recovery codes',
  sessions: 'per-user sessions; looked up by token hash before any organisation is known',
  auth_tokens: 'per-user hashed mailed tokens (verify email, reset password)',
  setup_tokens: 'first-run setup link: exists before any organisation',
  audit_chain_heads: 'seq and hash of each audit chain only (no content); RLS on chain_id, checked below',
  crypto_keks: 'key references (keyring names / KMS ARNs) and dates, no secrets; rotation must see every organisation',
  crypto_key_events: 'key lifecycle events (no secrets, no customer data), written by rotation for every organisation',
  crypto_reencryption_cursors: 're-encryption job progress (table/column/row position), no customer data',
  crypto_rotations: 'rotation job bookkeeping across organisations, no customer data',
  crypto_rotation_leases: 'job lease rows, no organisation data',
  crypto_encrypted_columns: 'catalogue of encrypted columns (table/column names)',
  stripe_connection_directory: 'routes a webhook or poll to its organisation before one is known; ids only, no secrets',
  backup_runs: 'operator record of whole-database backup runs; no organisation owns a backup',
  backup_restore_tests: 'operator record of restore tests (timings and counts), no customer data',
  security_seen_values: 'per-user blind indexes of sign-in devices/countries (no plaintext); users belong to no single organisation',
  security_oncall_events: "Mowt's own on-call record of cross-organisation patterns (counts and probing addresses, no customer data)",
  staff_accounts: 'Mowt staff, not customers: no organisation membership; address and TOTP seed encrypted',
  billing_directory: "routes Mowt's own billing webhooks and the plan job to an organisation; ids and a due date only",
  billing_webhook_events: 'ids of processed billing events (idempotency); no customer data',
  signup_accounts: 'which users created their organisation by self-serve sign-up (ids only), checked before any organisation is in scope',
  notification_orgs: 'ids of organisations with digests/notifications switched on, for the jobs; no content',
  staff_sessions: 'Mowt staff sessions (hashed tokens), looked up before any organisation is known',
  incidents: "Mowt's own incident records (what is public shows on /status); names no organisation",
  incident_updates: "Mowt's own incident timeline",
  incident_organisations: 'operator record of which organisations an incident affected and notice timestamps; the notices themselves are tenant data (breach_notices, RLS)',
  api_token_directory: 'maps an API token prefix to its organisation before one is known (bearer lookup); public prefixes and ids only, no secrets',
};

/** Tables whose organisation column is not called org_id. */
const ORG_COLUMN: Record<string, string> = { organisations: 'id', audit_chain_heads: 'chain_id' };

interface TableInfo {
  name: string;
  hasOrgId: boolean;
  rls: boolean;
  forced: boolean;
  policies: number;
}

async function tables(db: Db): Promise<TableInfo[]> {
  const { rows } = await sql<TableInfo>`
    select c.relname as name,
           exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as "hasOrgId",
           c.relrowsecurity as rls, c.relforcerowsecurity as forced,
           (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) as policies
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by c.relname`.execute(db.owner);
  return rows;
}

/** The tables the data check covers: every table under RLS with an organisation column. */
export async function tenantTables(db: Db): Promise<{ table: string; column: string }[]> {
  return (await tables(db))
    .filter((t) => (t.hasOrgId || ORG_COLUMN[t.name]) && t.rls)
    .map((t) => ({ table: t.name, column: ORG_COLUMN[t.name] ?? 'org_id' }));
}

export async function structuralProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  for (const t of await tables(db)) {
    const tenantShaped = t.hasOrgId || t.name === 'organisations';
    const allowListed = t.name in NOT_TENANT_TABLES;
    if (tenantShaped && !(t.rls && t.forced && t.policies > 0) && !allowListed) {
      problems.push(`${t.name}: has org_id but ${!t.rls ? 'RLS is off' : !t.forced ? 'RLS is not forced' : 'no policy'}`);
    }
    if (!tenantShaped && !allowListed) problems.push(`${t.name}: no org_id and not allow-listed as non-tenant (add it with a reason)`);
    if (allowListed && tenantShaped && t.rls && t.forced && t.policies > 0 && t.name !== 'audit_chain_heads') {
      problems.push(`${t.name}: allow-listed but has tenant RLS now; remove it from NOT_TENANT_TABLES`);
    }
    // An allow-listed table that does use RLS must still keep a policy (audit_chain_heads).
    if (allowListed && t.rls && t.policies === 0) problems.push(`${t.name}: RLS on but no policy`);
  }
  return problems;
}

const SYSTEM_CHAIN = '00000000-0000-0000-0000-000000000000';

/** What leaks: rows of another organisation (or any organisation's row without one set). */
export async function dataProblems(db: Db, orgA: string, userA: string): Promise<string[]> {
  const problems: string[] = [];
  for (const { table, column } of await tenantTables(db)) {
    const t = sql.table(table);
    const c = sql.ref(column);
    // Rows with an organisation; NULL-organisation rows are system rows (system keys, the system chain head).
    const owned = column === 'chain_id' ? sql`${c} <> ${SYSTEM_CHAIN}::uuid` : sql`${c} is not null`;
    const unscoped = await withoutOrg(db, (tx) => sql<{ n: number }>`select count(*)::int as n from ${t} where ${owned}`.execute(tx));
    if ((unscoped.rows[0]?.n ?? 0) > 0) problems.push(`${table}: ${unscoped.rows[0]?.n} organisation row(s) visible with no organisation set`);
    const asUser = await withUser(db, userA, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from ${t} where ${owned} ${table === 'memberships' ? sql`and user_id <> ${userA}` : sql``}`.execute(tx),
    );
    if ((asUser.rows[0]?.n ?? 0) > 0) problems.push(`${table}: ${asUser.rows[0]?.n} row(s) visible to a user with no organisation set`);
    const others = await withOrg(db, orgA, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from ${t} where ${owned} and ${c} <> ${orgA}::uuid`.execute(tx),
    );
    if ((others.rows[0]?.n ?? 0) > 0) problems.push(`${table}: ${others.rows[0]?.n} row(s) of another organisation visible to A`);
  }
  return problems;
}

/** Row counts per tenant table as the owner sees them (to prove the data check looked at real rows). */
export async function ownerCounts(db: Db, tablesToCount: string[], orgId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tablesToCount) {
    const column = ORG_COLUMN[table] ?? 'org_id';
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(column)} = ${orgId}::uuid`.execute(db.owner);
    out[table] = r.rows[0]?.n ?? 0;
  }
  return out;
}
