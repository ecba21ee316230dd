// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after another,
// each printing its numbers and ratios. Speed goals live here, never as timed assertions in tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// As `npm start` runs the server, stack traces are not source-mapped: tsx turns source maps on, and the
// Stripe SDK formats a stack per request (~0.2 ms each when mapped). (The container image maps them, for
// readable production errors, and pays that per Stripe request.) The young-generation size comes from the
// `bench` script's Node flags, the same as `npm start`'s.
process.setSourceMapsEnabled(false);

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: () => Promise<void> };
    await mod.run();
  } catch (err) {
    failed++;
    console.error(`bench ${file} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
