import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';
import { migrations } from './migrations/index.js';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('apply from empty, report nothing pending, and are idempotent', async () => {
    t = await createTestDatabase(kind, { migrate: false });
    expect(await pendingMigrations(t.db.owner)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.db.owner)).toEqual(Object.keys(migrations));
    expect(await pendingMigrations(t.db.owner)).toEqual([]);
    expect(await migrateToLatest(t.db.owner)).toEqual([]);
  });

  it('roll all the way down and up again', async () => {
    t = await createTestDatabase(kind);
    const migrator = new Migrator({ db: t.db.owner, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo(Object.keys(migrations)[0]!);
    expect(error).toBeUndefined();
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(await pendingMigrations(t.db.owner)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.db.owner)).toEqual(Object.keys(migrations));
  });
});
