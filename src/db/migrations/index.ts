// Every migration, in order. Static imports (not a folder scan) so the built app and tests see the same list.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
