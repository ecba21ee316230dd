// `npm start` / `mowt start`: config → app → listen, one clear line on a bad config or a busy port.
// MOWT_ROLE splits the work for scale-out: `web` processes serve HTTP and only send jobs; `mowt worker`
// (MOWT_ROLE=worker) runs the job queue without listening. Both meet in PostgreSQL.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { MigrationError } from './db/migrate.js';
import { issueSetupLink } from './teams/setup-link.js';
import { startDemoStripe } from './stripe/index.js';
import { startScheduledJobs, type RunningJobs } from './jobs/schedules.js';
import { createQueue } from './jobs/queue.js';
import type { Config } from './config.js';
import type { Services } from './services.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`mowt: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

/** Web-tier processes: a queue that only sends (no workers, no cron, no maintenance — the workers do those). */
async function sendOnlyJobs(services: Services): Promise<RunningJobs> {
  const { config, db, logger } = services;
  const queue = createQueue(db, { connectionString: config.database.kind === 'postgres' ? config.database.url : undefined, supervise: false });
  queue.on('error', (err) => logger.error({ err }, 'job queue error'));
  await queue.start();
  await services.stripe.useQueue(queue, { work: false });
  return { queue, stop: () => queue.stop({ graceful: true, wait: true, timeout: 10_000 }) };
}

/** `mowt worker`: migrations, the services and the job queue, no listener. */
export async function startWorker(): Promise<void> {
  const config = configOrExit();
  if (config.database.kind !== 'postgres') {
    console.error('mowt: mowt worker needs DATABASE_URL (PostgreSQL); on the embedded database `npm start` runs the jobs itself');
    process.exit(1);
  }
  config.role = 'worker';
  try {
    const app = await createApp(config);
    const jobs = await startScheduledJobs(app.services);
    console.log(`Mowt worker is running jobs (pid ${process.pid})`);
    const stop = async (signal: string) => {
      app.logger.info({ signal }, 'worker shutting down');
      await jobs.stop();
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', (s) => void stop(s));
    process.once('SIGTERM', (s) => void stop(s));
  } catch (err) {
    // Exit on any start failure: returned to `mowt worker`, the open pool and queue would keep a worker
    // alive that runs no jobs, where the orchestrator restarts one that exits.
    console.error(`mowt: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

export async function startServer(): Promise<void> {
  const config = configOrExit();
  if (config.role === 'worker') return startWorker();
  try {
    const app = await createApp(config);
    const { httpsPort } = await app.listen();
    console.log(`Mowt is listening on https://localhost:${httpsPort}`);
    const setupLink = await issueSetupLink({ db: app.db, clock: app.services.clock, baseUrl: config.baseUrl });
    if (setupLink) console.log(`No account exists yet. Create the first organisation and its Admin (works once, for 24 hours): ${setupLink}`);
    const demo = await startDemoStripe(app.services);
    if (demo) console.log(`Demo Stripe data: built-in emulator on ${demo.emulator.url}${demo.connectedOrgId ? ', connected to the first organisation' : ''}`);
    // Recurring work (key-rotation check, session clean-up, backups, restore tests) on the job queue; a
    // web-tier process only sends jobs there.
    const jobs = config.role === 'web' ? await sendOnlyJobs(app.services) : await startScheduledJobs(app.services);
    const stop = async (signal: string) => {
      app.logger.info({ signal }, 'shutting down');
      await jobs.stop();
      await app.close();
      await demo?.close();
      process.exit(0);
    };
    process.once('SIGINT', (s) => void stop(s));
    process.once('SIGTERM', (s) => void stop(s));
  } catch (err) {
    // A bad migration or a busy port is one line; anything else keeps its stack. Either way the process
    // exits, also under `mowt start`, whose caller would otherwise leave it half-started.
    if (err instanceof MigrationError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error(`mowt: ${(err as Error).message}`);
    else console.error(err);
    process.exit(1);
  }
}
