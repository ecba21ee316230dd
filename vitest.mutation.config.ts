// Vitest settings for mutation testing of the pure metrics engine: only its own tests, no services needed.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/metrics/**/*.test.ts'], pool: 'forks', testTimeout: 60_000 },
});
