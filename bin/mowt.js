#!/usr/bin/env node
// Runs the CLI from source through tsx in a development checkout, or from dist/ where tsx is absent
// (production images install only runtime dependencies).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let cli;
if (existsSync(`${root}node_modules/tsx`) && existsSync(`${root}src/cli.ts`)) {
  const { tsImport } = await import('tsx/esm/api');
  cli = await tsImport(`${root}src/cli.ts`, import.meta.url);
} else {
  cli = await import(`${root}dist/src/cli.js`);
}
const code = await cli.runCli(process.argv.slice(2));
if (code !== 0 || !['start', 'emulator'].includes(process.argv[2] ?? '')) process.exitCode = code;
