import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx', 'infra/**/*.test.ts'],
    // bcrypt cost 12, PGlite start-up and real servers make some tests slow on 2 cores.
    // test/scale spawns the compiled app (dist/): `npm test`'s pretest builds it first.
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
