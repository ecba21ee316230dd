// `mowt stripe-sync --connection ID`: one sync pass for a connection now, in this process (backfill resumed
// from its committed cursors, then Events API polling), printing progress. For operators re-running a sync
// by hand, and the process the kill -9 test interrupts. Exit 1 on failure; the next run resumes.
import type { Command } from 'commander';

export interface StripeSyncCommandOptions {
  connection: string;
  backfillOnly?: boolean;
}

export async function stripeSyncCommand(opts: StripeSyncCommandOptions, out: (line: string) => void = console.log): Promise<number> {
  const [{ loadConfig }, { openDatabase }, { unmigratedReason }, cryptoModule, { createLogger }, { createStripeService }, { directoryByConnection }, { backfill }, { pollEvents }, { openReader }, { withOrg }, { listSyncState }] =
    await Promise.all([
      import('../config.js'),
      import('../db/database.js'),
      import('../db/migrate.js'),
      import('../crypto/index.js'),
      import('../http/logger.js'),
      import('./stripe-service.js'),
      import('./connections.js'),
      import('./backfill.js'),
      import('./poll-events.js'),
      import('./open-reader.js'),
      import('../db/tenant.js'),
      import('./sync-state.js'),
    ]);
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const unmigrated = await unmigratedReason(db.owner);
    if (unmigrated) {
      console.error(`mowt: ${unmigrated}`);
      return 1;
    }
    const entry = await directoryByConnection(db, opts.connection);
    if (!entry) {
      console.error(`mowt: no Stripe connection ${opts.connection}`);
      return 1;
    }
    const crypto = await cryptoModule.createFieldCrypto({ db, kms: cryptoModule.createKmsFromConfig(config), onEvent: cryptoModule.auditKeyEvents(db) });
    const logger = createLogger({ level: config.logLevel });
    const stripe = createStripeService({ config, db, logger, clock: () => new Date(), crypto });
    const { deps } = stripe;
    const reader = await openReader(deps, entry.orgId, entry.connectionId);
    out(`syncing Stripe connection ${entry.connectionId} (account ${entry.stripeAccountId}) from ${config.stripeApiBase ?? 'https://api.stripe.com'}`);
    const started = Date.now();
    let objects = 0;
    let lastReport = 0;
    const result = await backfill(deps, entry.orgId, entry.connectionId, {
      reader,
      onProgress: (type, added, done) => {
        objects += added;
        if (done) out(`  ${type}: backfill done`);
        if (Date.now() - lastReport >= 2000) {
          lastReport = Date.now();
          out(`  ${objects} objects stored in this run (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
      },
    });
    out(`backfill: ${result.objects} objects in ${result.pages} pages this run (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!opts.backfillOnly) {
      const events = await pollEvents(deps, entry.orgId, entry.connectionId, { reader });
      out(`events: ${events.applied + events.refetched + events.stored} applied, ${events.duplicate} already seen, ${events.stale} older than stored state`);
    }
    const states = await withOrg(db, entry.orgId, (tx) => listSyncState(tx, entry.connectionId));
    const totals = states.filter((s) => s.object_type !== 'event_poll').map((s) => `${s.object_type} ${Number(s.objects_synced)}`);
    out(`stored in total: ${totals.join(', ')}`);
    return 0;
  } finally {
    await db.close();
  }
}

export function registerStripeSyncCommand(program: Command): void {
  program
    .command('stripe-sync')
    .description('run one Stripe sync pass for a connection now (resumes an interrupted backfill), printing progress')
    .requiredOption('--connection <id>', 'Stripe connection id (as listed by GET /api/orgs/:orgId/stripe/connections)')
    .option('--backfill-only', 'stop after the backfill (skip Events API polling)')
    .action(async (opts: StripeSyncCommandOptions) => {
      process.exitCode = await stripeSyncCommand(opts);
    });
}
