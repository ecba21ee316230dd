#!/usr/bin/env node
// Runs the CLI from dist/ when it is built and current (production images install only runtime
// dependencies and ship dist/; `npm test` and `npm start` build it first), and from source through tsx in a
// development checkout whose source is newer than the build, so an edited command never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/src/cli.js`;

/** Newest modification time of the compiled sources (tests are not compiled, so they do not count). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const canRunSource = existsSync(`${root}node_modules/tsx`) && existsSync(`${root}src/cli.ts`);
const buildIsCurrent = existsSync(built) && (!canRunSource || statSync(built).mtimeMs >= Math.max(newestSource(`${root}src`), newestSource(`${root}emulator`)));

let cli;
if (buildIsCurrent) {
  cli = await import(built);
} else if (canRunSource) {
  const { tsImport } = await import('tsx/esm/api');
  cli = await tsImport(`${root}src/cli.ts`, import.meta.url);
} else {
  throw new Error('Mowt is not built: run `npm run build`');
}
const code = await cli.runCli(process.argv.slice(2));
if (code !== 0 || !['start', 'emulator'].includes(process.argv[2] ?? '')) process.exitCode = code;
