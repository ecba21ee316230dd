import { CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { prepared } from './prepared-statements.js';

describe.each(DB_KINDS)('marked statements on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('return the same rows as unmarked ones, and on PostgreSQL run as one named statement per text', async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const text = 'select $1::int + $2::int as n';
    // One connection for the whole check: prepared statements belong to the connection that made them.
    await t.db.owner.connection().execute(async (c) => {
      for (const [a, b] of [[1, 2], [40, 2], [5, 5]] as const) {
        const marked = await c.executeQuery<{ n: number }>(CompiledQuery.raw(prepared(text), [a, b]));
        const plain = await c.executeQuery<{ n: number }>(CompiledQuery.raw(text, [a, b]));
        expect(marked.rows).toEqual(plain.rows);
        expect(marked.rows).toEqual([{ n: a + b }]);
      }
      if (kind !== 'postgres') return;
      const { rows } = await c.executeQuery<{ name: string; statement: string }>(CompiledQuery.raw('select name, statement from pg_prepared_statements'));
      // Exactly one, for the marked text; the unmarked statement was never kept.
      expect(rows).toHaveLength(1);
      expect(rows[0]!.name).toMatch(/^mowt_[0-9a-f]{40}$/);
      expect(rows[0]!.statement).toBe(prepared(text));
    });
  });
});
