// `npm start` / `mowt start`: config → app → listen, one clear line on a bad config or a busy port.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { MigrationError } from './db/migrate.js';
import { issueSetupLink } from './teams/setup-link.js';
import { startDemoStripe } from './stripe/index.js';
import { startScheduledJobs } from './jobs/schedules.js';

export async function startServer(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`mowt: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  try {
    const app = await createApp(config);
    const { httpsPort } = await app.listen();
    console.log(`Mowt is listening on https://localhost:${httpsPort}`);
    const setupLink = await issueSetupLink({ db: app.db, clock: app.services.clock, baseUrl: config.baseUrl });
    if (setupLink) console.log(`No account exists yet. Create the first organisation and its Admin (works once, for 24 hours): ${setupLink}`);
    const demo = await startDemoStripe(app.services);
    if (demo) console.log(`Demo Stripe data: built-in emulator on ${demo.emulator.url}${demo.connectedOrgId ? ', connected to the first organisation' : ''}`);
    // Recurring work (key-rotation check, session clean-up, backups, restore tests) on the job queue.
    const jobs = await startScheduledJobs(app.services);
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
    if (err instanceof MigrationError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`mowt: ${(err as Error).message}`);
      process.exit(1);
    }
    throw err;
  }
}
