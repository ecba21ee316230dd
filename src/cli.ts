// `mowt` operator commands. Each prints what it did and exits non-zero on failure; slices add commands here.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest, MigrationError, pendingMigrations } from './db/migrate.js';

export function buildCli(): Command {
  const program = new Command('mowt')
    .description('Mowt operator commands. Configuration comes from the environment (see README).')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('migrate the database and serve Mowt over HTTPS (what `npm start` runs after building)')
    .action(async () => {
      const { startServer } = await import('./start.js');
      await startServer();
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

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof MigrationError) {
      console.error(`mowt: ${err.message}`);
      return 1;
    }
    console.error(`mowt: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
