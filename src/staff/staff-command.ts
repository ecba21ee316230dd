// `mowt staff create|disable|list` and `mowt access-review --month YYYY-MM`. Each prints what it did and
// exits non-zero on failure.
import type { Command } from 'commander';
import { withoutOrg } from '../db/tenant.js';
import type { OperatorContext } from '../security-events/operator-context.js';
import { accessReview, formatAccessReview } from './access-review.js';
import { disableStaff } from './offboard.js';
import { createStaff, staffEmail, StaffCommandError } from './staff-accounts.js';

type Ctx = Pick<OperatorContext, 'db' | 'crypto' | 'clock' | 'baseUrl' | 'out'>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function runStaffCreate(ctx: Ctx, opts: { email: string; name: string }): Promise<number> {
  if (!EMAIL.test(opts.email)) {
    ctx.out(`mowt: ${JSON.stringify(opts.email)} is not an email address`);
    return 1;
  }
  try {
    const { id, token, expiresAt } = await createStaff(ctx, opts);
    ctx.out(`created staff account ${id} for ${opts.email} (no organisation membership; 2FA is mandatory)`);
    ctx.out(`one-time setup token (valid until ${expiresAt.toISOString()}; give it to the staff member over a trusted channel):`);
    ctx.out(`  ${token}`);
    ctx.out(`setup: POST ${ctx.baseUrl()}/api/staff/setup {token, password} → add the TOTP secret to an authenticator; then POST /api/staff/setup/confirm {token, code}`);
    return 0;
  } catch (err) {
    if (err instanceof StaffCommandError) {
      ctx.out(`mowt: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export async function runStaffDisable(ctx: Ctx, email: string): Promise<number> {
  const report = await disableStaff(ctx, email);
  if (!report) {
    ctx.out(`mowt: no staff account for ${email}`);
    return 1;
  }
  ctx.out(`disabled staff account ${report.staffId}${report.alreadyDisabled ? ' (was already disabled)' : ''}`);
  ctx.out(`ended ${report.sessions} session(s); revoked ${report.grants.length} access grant(s)${report.grants.length ? `: ${report.grants.map((g) => `${g.id} in ${g.orgId}`).join(', ')}` : ''}; setup link cleared`);
  return 0;
}

export async function runStaffList(ctx: Ctx): Promise<number> {
  const rows = await withoutOrg(ctx.db, (tx) => tx.selectFrom('staff_accounts').select(['id', 'name', 'email_encrypted', 'totp_confirmed_at', 'disabled_at', 'created_at']).orderBy('created_at').execute());
  if (rows.length === 0) ctx.out('no staff accounts');
  for (const r of rows) {
    const state = r.disabled_at ? `disabled ${r.disabled_at.toISOString()}` : r.totp_confirmed_at ? 'active' : 'setup pending';
    ctx.out(`${r.id}  ${await staffEmail(ctx, r)}  ${r.name}  ${state}`);
  }
  return 0;
}

export async function runAccessReview(ctx: Ctx, month: string): Promise<number> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    ctx.out('mowt: --month must look like YYYY-MM');
    return 1;
  }
  const report = await accessReview(ctx, month);
  ctx.out(formatAccessReview(report).trimEnd());
  return 0;
}

export function registerStaffCommands(program: Command, deps: { open: () => Promise<OperatorContext> }): void {
  const run = async (fn: (ctx: OperatorContext) => Promise<number>) => {
    const ctx = await deps.open();
    try {
      process.exitCode = await fn(ctx);
    } finally {
      await ctx.close();
    }
  };
  const staff = program.command('staff').description('Mowt staff accounts (apart from customer accounts; see docs/security-operations.md)');
  staff
    .command('create')
    .description('create a staff account and print its one-time setup token (password + mandatory TOTP)')
    .requiredOption('--email <email>', 'the staff member’s work address')
    .requiredOption('--name <name>', 'full name')
    .action((opts: { email: string; name: string }) => run((ctx) => runStaffCreate(ctx, opts)));
  staff
    .command('disable')
    .argument('<email>', 'the staff member’s address')
    .description('offboard: disable the account and end its sessions, access grants and setup link at once')
    .action((email: string) => run((ctx) => runStaffDisable(ctx, email)));
  staff
    .command('list')
    .description('list staff accounts and their state')
    .action(() => run((ctx) => runStaffList(ctx)));
  program
    .command('access-review')
    .description('the monthly report of all staff access to organisation data, for review')
    .requiredOption('--month <YYYY-MM>', 'the month to review')
    .action((opts: { month: string }) => run((ctx) => runAccessReview(ctx, opts.month)));
}
