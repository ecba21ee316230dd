// `mowt` operator commands. Each prints what it did and exits non-zero on failure; slices add commands here.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest, MigrationError, pendingMigrations } from './db/migrate.js';
import { registerRotateKeysCommand } from './crypto/rotate-keys-command.js';
import { registerBackupCommands } from './backup/backup-command.js';
import { registerVerifyAuditCommand } from './audit/verify-audit-command.js';
import { registerCreateAdminCommand } from './teams/create-admin-command.js';
import { registerStaffCommands } from './staff/staff-command.js';
import { registerIncidentCommands } from './incidents/incident-command.js';
import { registerStripeSyncCommand } from './stripe/stripe-sync-command.js';
import { registerFxRatesCommand } from './analytics/fx-rates-command.js';
import { acquireEmbeddedLock, EmbeddedDatabaseBusyError } from './db/embedded-lock.js';

// Commands that open the configured database. On the embedded PGlite folder only one process may do so
// (src/db/embedded-lock.ts), so each first takes the folder's lock and refuses while `npm start` holds it.
const OPENS_DATABASE = new Set(['start', 'migrate', 'create-admin', 'verify-audit', 'rotate-keys', 'backup', 'restore-test', 'backups prune', 'stripe-sync', 'fx-rates import']);

export function buildCli(): Command {
  const program = new Command('mowt')
    .description('Mowt operator commands. Configuration comes from the environment (see README).')
    .showHelpAfterError()
    .exitOverride();

  program.hook('preAction', (_program, action) => {
    const name = action.parent && action.parent !== program ? `${action.parent.name()} ${action.name()}` : action.name();
    if (!OPENS_DATABASE.has(name)) return;
    const config = loadConfig();
    if (config.database.kind === 'pglite') acquireEmbeddedLock(config.database.dir, `mowt ${name}`);
  });

  program
    .command('start')
    .description('migrate the database and serve Mowt over HTTPS (what `npm start` runs after building)')
    .action(async () => {
      const { startServer } = await import('./start.js');
      await startServer();
    });

  program
    .command('worker')
    .description('run the job queue (Stripe syncs, key rotation, clean-up, backups) without serving HTTP; needs PostgreSQL')
    .action(async () => {
      const { startWorker } = await import('./start.js');
      await startWorker();
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--status', 'only list pending migrations; exit 1 if any')
    .action(async (opts: { status?: boolean }) => {
      const db = await openDatabase(loadConfig().database);
      try {
        if (opts.status) {
          const pending = await pendingMigrations(db.owner);
          console.log(pending.length ? `pending: ${pending.join(', ')}` : 'database schema is current');
          process.exitCode = pending.length ? 1 : 0;
          return;
        }
        const applied = await migrateToLatest(db.owner);
        console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database schema is current');
      } finally {
        await db.close();
      }
    });

  program
    .command('emulator')
    .description('run the Stripe API emulator with a generated subscription business (development and tests)')
    .option('--port <port>', 'port to listen on', '12111')
    .option('--business <size>', 'empty | small | demo | large', 'demo')
    .option('--seed <n>', 'generator seed (same seed, same business)', '1')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--rate-limit <n|off>', "requests per second before 429, like Stripe's read limit", '100')
    .action(async (opts: { port: string; business: string; seed: string; host: string; rateLimit: string }) => {
      const { runEmulatorCli } = await import('../emulator/cli.js');
      const argv = ['--port', opts.port, '--business', opts.business, '--seed', opts.seed, '--host', opts.host, '--rate-limit', opts.rateLimit];
      const emulator = await runEmulatorCli(argv);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  registerRotateKeysCommand(program);
  registerBackupCommands(program);
  registerStripeSyncCommand(program);
  registerFxRatesCommand(program);
  registerCreateAdminCommand(program, { loadConfig: () => loadConfig(), createApp: (c) => import('./app.js').then((m) => m.createApp(c)), io: process });
  registerVerifyAuditCommand(program, { loadConfig: () => loadConfig(), out: process });
  // Security operations: staff accounts, the monthly access review, incidents and breach notices.
  const openOperator = () => import('./security-events/operator-context.js').then((m) => m.openOperatorContext(loadConfig()));
  registerStaffCommands(program, { open: openOperator });
  registerIncidentCommands(program, { open: openOperator });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof MigrationError || err instanceof EmbeddedDatabaseBusyError) {
      console.error(`mowt: ${err.message}`);
      return 1;
    }
    console.error(`mowt: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
