import { describe, expect, it } from 'vitest';
import { countryCode, deviceFamily, hourOfDayIn, isNewForUser, judgeTokenUse, RULES, TOKEN_RULES, windowBucket, windowExceeded } from './rules.js';
import { memoryWindowStore } from './window-store.js';
import { signWebhook, verifyWebhook, checkWebhookUrl } from './webhook.js';

const UA = {
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeMacNext: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
};

describe('device families', () => {
  it('names browser and OS, never the version (an upgrade is not a new device)', () => {
    expect(deviceFamily(UA.chromeMac)).toBe('Chrome on macOS');
    expect(deviceFamily(UA.chromeMacNext)).toBe(deviceFamily(UA.chromeMac));
    expect(deviceFamily(UA.firefoxLinux)).toBe('Firefox on Linux');
    expect(deviceFamily(UA.safariIphone)).toBe('Safari on iOS');
    expect(deviceFamily(UA.edgeWindows)).toBe('Edge on Windows');
    expect(deviceFamily(null)).toBe('Other on Other');
  });

  it('accepts only real country codes', () => {
    expect(countryCode(' gb ')).toBe('GB');
    expect(countryCode('XX')).toBeNull();
    expect(countryCode('A1')).toBeNull();
    expect(countryCode('GBR')).toBeNull();
    expect(countryCode(undefined)).toBeNull();
  });

  it('the first sign-in teaches; only a known history can call something new', () => {
    expect(isNewForUser(false, 0)).toBe(false);
    expect(isNewForUser(false, 2)).toBe(true);
    expect(isNewForUser(true, 2)).toBe(false);
  });
});

describe('windows', () => {
  it('count within the window only, and distinct members once', async () => {
    const w = memoryWindowStore();
    const t0 = new Date('2026-03-02T09:00:00Z');
    const rule = RULES.failedLoginsPerAccount;
    let n = 0;
    for (let i = 0; i < 9; i++) n = await w.add('k', new Date(t0.getTime() + i * 60_000), rule.windowMs);
    expect(n).toBe(9);
    expect(windowExceeded(n, rule)).toBe(false);
    n = await w.add('k', new Date(t0.getTime() + 10 * 60_000), rule.windowMs);
    expect(windowExceeded(n, rule)).toBe(true);
    // Half an hour later the earlier failures have left the 15-minute window.
    n = await w.add('k', new Date(t0.getTime() + 30 * 60_000), rule.windowMs);
    expect(n).toBe(1);
    for (let i = 0; i < 10; i++) n = await w.add('orgs', t0, 60_000, 'same-org');
    expect(n).toBe(1);
    // A report stamped a window or more ahead (another clock, a replayed day) does not count now.
    expect(await w.add('ahead', new Date(t0.getTime() + 3 * 60 * 60_000), rule.windowMs)).toBe(1);
    expect(await w.add('ahead', t0, rule.windowMs)).toBe(1);
    expect(await w.add('ahead', new Date(t0.getTime() + 3 * 60 * 60_000 - 60_000), rule.windowMs)).toBe(2);
    expect(windowBucket(t0, rule)).toBe(windowBucket(new Date(t0.getTime() + 60_000), rule));
  });
});

describe('token usage', () => {
  const officeHours = () => {
    const hourly: number[] = [];
    const byHourOfDay = new Array<number>(24).fill(0);
    for (let h = 0; h < TOKEN_RULES.baselineHours; h++) {
      const hod = h % 24;
      const uses = hod >= 8 && hod <= 18 ? 40 : 0;
      hourly.push(uses);
      byHourOfDay[hod] = (byHourOfDay[hod] ?? 0) + uses;
    }
    return { hourly, byHourOfDay, ageHours: 400 };
  };

  it('an ordinary busy hour is not a spike; ten times the 7-day average above the floor is', () => {
    const history = officeHours();
    // Average ≈ 40 × 11 / 24 ≈ 18.3 per hour.
    expect(judgeTokenUse(60, 10, history).spike).toBe(false);
    expect(judgeTokenUse(199, 10, history).spike).toBe(false);
    expect(judgeTokenUse(400, 10, history)).toMatchObject({ spike: true });
    // The floor: a quiet token going from 1 to 50 an hour is not an incident.
    expect(judgeTokenUse(50, 10, { hourly: new Array(168).fill(0).map((_, i) => (i % 24 === 10 ? 1 : 0)), byHourOfDay: new Array(24).fill(0).map((_, h) => (h === 10 ? 7 : 0)), ageHours: 400 }).spike).toBe(false);
  });

  it('an hour never used in 7 days is unusual, once the token has a settled history', () => {
    const history = officeHours();
    expect(judgeTokenUse(1, 3, history).unusualHour).toBe(true);
    expect(judgeTokenUse(1, 12, history).unusualHour).toBe(false);
    // Next to a usual hour is usual (a job drifting from 18:55 to 19:05).
    expect(judgeTokenUse(1, 19, history).unusualHour).toBe(false);
    expect(judgeTokenUse(1, 3, { ...history, ageHours: 24 }).unusualHour).toBe(false);
    expect(judgeTokenUse(1, 3, { hourly: new Array(168).fill(0), byHourOfDay: new Array(24).fill(0), ageHours: 400 }).unusualHour).toBe(false);
  });

  it('hours of the day follow the organisation’s time zone', () => {
    const at = new Date('2026-07-01T23:30:00Z');
    expect(hourOfDayIn(at, 'UTC')).toBe(23);
    expect(hourOfDayIn(at, 'Europe/London')).toBe(0);
    expect(hourOfDayIn(at, 'Not/AZone')).toBe(23);
  });
});

describe('webhook signatures', () => {
  it('verify with the secret and a fresh timestamp only', () => {
    const body = JSON.stringify({ text: 'hello' });
    const sig = signWebhook('s3cret', 1_700_000_000, body);
    expect(verifyWebhook('s3cret', { timestamp: '1700000000', signature: sig }, body, 1_700_000_100)).toBe(true);
    expect(verifyWebhook('other', { timestamp: '1700000000', signature: sig }, body, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('s3cret', { timestamp: '1700000000', signature: sig }, `${body} `, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('s3cret', { timestamp: '1700000000', signature: sig }, body, 1_700_001_000)).toBe(false);
  });

  it('refuses non-https and private targets in production', async () => {
    await expect(checkWebhookUrl('http://hooks.slack.com/x', true)).rejects.toThrow(/https/);
    await expect(checkWebhookUrl('https://127.0.0.1/x', true)).rejects.toThrow(/private/);
    await expect(checkWebhookUrl('https://[::1]/x', true)).rejects.toThrow(/private/);
    await expect(checkWebhookUrl('https://10.1.2.3/x', true)).rejects.toThrow(/private/);
    await expect(checkWebhookUrl('https://user:pw@example.com/x', true)).rejects.toThrow(/credentials/);
    await expect(checkWebhookUrl('ftp://example.com/x', false)).rejects.toThrow(/https/);
    expect((await checkWebhookUrl('http://127.0.0.1:9999/hook', false)).port).toBe('9999');
  });
});

describe('Redis windows (shared by every instance)', () => {
  it('count like the memory windows, out-of-order reports included', async () => {
    const { Redis } = await import('ioredis');
    const { redisWindowStore } = await import('./window-store.js');
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    try {
      await redis.ping().catch((err: Error) => {
        throw new Error(`Redis is required for this test at 127.0.0.1:6379 (${err.message})`);
      });
      const prefix = `mowt_sec_test_${Date.now()}`;
      const a = redisWindowStore(redis, prefix);
      const b = redisWindowStore(redis, prefix);
      const t0 = new Date('2026-03-02T09:00:00Z');
      // Two instances count into the same window; a late report of an earlier failure still counts.
      await a.add('k', new Date(t0.getTime() + 5000), 60_000);
      await b.add('k', t0, 60_000);
      expect(await a.add('k', new Date(t0.getTime() + 6000), 60_000)).toBe(3);
      expect(await b.add('orgs', t0, 60_000, 'org-1')).toBe(1);
      expect(await a.add('orgs', new Date(t0.getTime() + 1000), 60_000, 'org-1')).toBe(1);
      expect(await a.add('k', new Date(t0.getTime() + 120_000), 60_000)).toBe(1);
      // A report stamped a window or more ahead does not count at an earlier time.
      await a.add('ahead', new Date(t0.getTime() + 3_600_000), 60_000);
      expect(await b.add('ahead', t0, 60_000)).toBe(1);
      expect(await b.add('ahead', new Date(t0.getTime() + 3_570_000), 60_000)).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
});
