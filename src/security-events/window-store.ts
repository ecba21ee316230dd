// Sliding-window counters for the anomaly rules. A window is a set of members, each with the time it was
// last seen; add() records one and answers how many distinct members fall within the window. Counting
// occurrences uses a fresh member per occurrence; counting distinct organisations uses the org id as member.
// Time comes from the caller (the injected clock), never from the store, so tests can replay a day.
// With REDIS_URL every instance shares the windows (sorted sets scored by time); otherwise each process
// counts on its own, which is still correct for a single instance.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

export interface WindowStore {
  /** Records `member` at `at` under `key` and returns the distinct members seen within windowMs up to `at`. */
  add(key: string, at: Date, windowMs: number, member?: string): Promise<number>;
}

/** Bounded so an address flood cannot grow memory without limit: the oldest keys are dropped first. */
const MAX_KEYS = 100_000;

export function memoryWindowStore(): WindowStore {
  const windows = new Map<string, Map<string, number>>();
  return {
    async add(key, at, windowMs, member = crypto.randomUUID()) {
      const now = at.getTime();
      let w = windows.get(key);
      if (!w) {
        if (windows.size >= MAX_KEYS) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        w = new Map();
        windows.set(key, w);
      }
      // Reports can arrive slightly out of order (concurrent requests): keep the latest time of a member and
      // drop only what has left the window. Members stamped more than a window after this report (another
      // clock, a replayed day) are kept but not counted: they belong to a later window.
      w.set(member, Math.max(now, w.get(member) ?? now));
      let n = 0;
      for (const [m, t] of w) {
        if (t <= now - windowMs) w.delete(m);
        else if (t < now + windowMs) n++;
      }
      return n;
    },
  };
}

/** Redis-backed windows; while Redis is unreachable each instance keeps counting in memory (never blind). */
export function redisWindowStore(redis: Redis, prefix = 'mowt_sec', fallback: WindowStore = memoryWindowStore()): WindowStore {
  return {
    async add(key, at, windowMs, member = crypto.randomUUID()) {
      if (redis.status !== 'ready') return fallback.add(key, at, windowMs, member);
      const now = at.getTime();
      const k = `${prefix}:${key}`;
      const res = await redis
        .multi()
        .zadd(k, 'GT', now, member)
        .zremrangebyscore(k, '-inf', now - windowMs)
        .zcount(k, '-inf', `(${now + windowMs}`)
        .pexpire(k, windowMs)
        .exec();
      const count = res?.[2]?.[1];
      return typeof count === 'number' ? count : Number(count ?? 0);
    },
  };
}
