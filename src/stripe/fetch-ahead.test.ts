import { describe, expect, it } from 'vitest';
import { fetchAhead, type ChainPage } from './fetch-ahead.js';

interface TestPage extends ChainPage { n: number }

/** A chain of `total` pages whose requests resolve only when the test says so; records every request. */
function chain(total: number) {
  const requests: (string | null)[] = [];
  const pending: { resolve(): void; reject(e: Error): void }[] = [];
  const fetch = (after: string | null): Promise<TestPage> => {
    requests.push(after);
    const n = after === null ? 1 : Number(after.slice(1)) + 1;
    return new Promise<TestPage>((resolve, reject) => {
      pending.push({ resolve: () => resolve({ n, hasMore: n < total, lastId: `p${n}` }), reject });
    });
  };
  /** Lets the oldest pending request answer, then lets the promise callbacks run. */
  const answer = async () => {
    pending.shift()?.resolve();
    await new Promise((r) => setImmediate(r));
  };
  const fail = async (message: string) => {
    pending.shift()?.reject(new Error(message));
    await new Promise((r) => setImmediate(r));
  };
  return { requests, fetch, answer, fail, pending };
}

describe('fetchAhead', () => {
  it('reads the chain in order, each request after the previous page, never more than `depth` pages ahead', async () => {
    const c = chain(5);
    const reader = fetchAhead({ fetch: c.fetch, from: null, maxPages: Number.POSITIVE_INFINITY, depth: 2 });
    expect(c.requests).toEqual([null]);
    await c.answer(); // page 1 arrives: page 2 may be read while page 1 waits to be taken
    expect(c.requests).toEqual([null, 'p1']);
    await c.answer(); // page 2 arrives: two pages wait, so page 3 is not asked for yet
    expect(c.requests).toEqual([null, 'p1']);
    expect((await reader.next())?.n).toBe(1);
    expect(c.requests).toEqual([null, 'p1', 'p2']); // taking one made room
    const got = [2];
    expect((await reader.next())?.n).toBe(2);
    for (;;) {
      await c.answer();
      const page = await reader.next();
      if (page === null) break;
      got.push(page.n);
      // Asked for and not yet taken (page 1 was taken above): never more than the depth.
      expect(c.requests.length - (got.length + 1)).toBeLessThanOrEqual(2);
    }
    expect(got).toEqual([2, 3, 4, 5]);
    expect(c.requests).toEqual([null, 'p1', 'p2', 'p3', 'p4']); // nothing after the page without has_more
  });

  it('depth 1 asks for the next page only once the current one is taken (no read-ahead)', async () => {
    const c = chain(3);
    const reader = fetchAhead({ fetch: c.fetch, from: 'p0', maxPages: Number.POSITIVE_INFINITY, depth: 1 });
    await c.answer();
    expect(c.requests).toEqual(['p0']);
    expect((await reader.next())?.n).toBe(1);
    expect(c.requests).toEqual(['p0', 'p1']);
  });

  it('stops at the page cap', async () => {
    const c = chain(10);
    const reader = fetchAhead({ fetch: c.fetch, from: null, maxPages: 2, depth: 3 });
    await c.answer();
    await c.answer();
    await c.answer();
    expect(c.requests).toEqual([null, 'p1']);
    expect((await reader.next())?.n).toBe(1);
    expect((await reader.next())?.n).toBe(2);
    expect(await reader.next()).toBeNull();
  });

  it("hands a failed request's error to the reader and asks for nothing more", async () => {
    const c = chain(10);
    const reader = fetchAhead({ fetch: c.fetch, from: null, maxPages: Number.POSITIVE_INFINITY, depth: 2 });
    await c.answer();
    await c.fail('Stripe answered 500');
    expect((await reader.next())?.n).toBe(1);
    await expect(reader.next()).rejects.toThrow('Stripe answered 500');
    expect(c.requests).toEqual([null, 'p1']);
  });

  it('after stop() or an aborted signal, pages in flight finish but no new request leaves', async () => {
    const stopped = chain(10);
    const a = fetchAhead({ fetch: stopped.fetch, from: null, maxPages: Number.POSITIVE_INFINITY, depth: 2 });
    a.stop();
    await stopped.answer();
    expect(stopped.requests).toEqual([null]);

    const aborted = chain(10);
    const controller = new AbortController();
    fetchAhead({ fetch: aborted.fetch, from: null, maxPages: Number.POSITIVE_INFINITY, depth: 2, signal: controller.signal });
    controller.abort();
    await aborted.answer();
    expect(aborted.requests).toEqual([null]);
  });
});
