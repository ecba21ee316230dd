import crypto from 'node:crypto';
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { rangeBreachCheck } from './breach-check.js';
import { bcryptHasher, preHash, PRODUCTION_BCRYPT_COST } from './password-hasher.js';
import { passwordProblem } from './password-policy.js';

describe('password hashing', () => {
  it('production hashes are bcrypt $2b$ at cost 12, and verify', async () => {
    expect(PRODUCTION_BCRYPT_COST).toBe(12);
    const hasher = bcryptHasher();
    const hash = await hasher.hash('a perfectly fine passphrase');
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    expect(await hasher.verify('a perfectly fine passphrase', hash)).toBe(true);
    expect(await hasher.verify('a perfectly fine passphrasE', hash)).toBe(false);
    expect(bcrypt.getRounds(await hasher.dummyHash())).toBe(12);
  });

  it('hashes off the event loop: timers keep firing while a cost-12 hash runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await bcryptHasher(12).hash('event loop stays free');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(10);
  });

  it('pre-hashes, so characters beyond bcrypt\'s 72 bytes still count', async () => {
    const hasher = bcryptHasher(4);
    const base = 'x'.repeat(100);
    const hash = await hasher.hash(`${base}A`);
    expect(await hasher.verify(`${base}A`, hash)).toBe(true);
    expect(await hasher.verify(`${base}B`, hash)).toBe(false);
    // Raw bcrypt would have accepted it (the proof the pre-hash matters).
    const raw = await bcrypt.hash(`${base}A`, 4);
    expect(await bcrypt.compare(`${base}B`, raw)).toBe(true);
    // The pre-hash is 44 ASCII bytes with no NUL, inside bcrypt's limit.
    expect(preHash('é'.repeat(200))).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});

describe('password policy', () => {
  const ctx = { email: 'grace.hopper@navy.example', orgName: 'Cobol Analytics' };

  it('accepts a strong passphrase of 12 to 256 characters', async () => {
    expect(await passwordProblem('violet marmalade tractor 93', ctx)).toBeNull();
    const long = Array.from({ length: 20 }, () => crypto.randomBytes(6).toString('base64url')).join(' ').slice(0, 256);
    expect(await passwordProblem(long, ctx)).toBeNull();
  });

  it.each([
    ['short', 'Xk9$mq2!', /at least 12/],
    ['too long', 'a'.repeat(257), /at most 256/],
    ['common', 'password1234', /too easy/],
    ['breached favourite', 'iloveyou12345', /too easy/],
    ['keyboard walk', 'qwertyuiop123', /too easy/],
    ['the email', 'grace.hopper@navy', /must not contain/],
    ['the email local part', 'xx Grace-Hopper 1906 zz', /must not contain/],
    ['the org name', 'CobolAnalytics2026', /must not contain/],
  ])('refuses %s', async (_label, password, why) => {
    expect(await passwordProblem(password, ctx)).toMatch(why);
  });

  it('optionally refuses a password found by the k-anonymity breach API, sending only a 5-hex prefix', async () => {
    const password = 'violet marmalade tractor 93';
    const sha1 = crypto.createHash('sha1').update(password).digest('hex').toUpperCase();
    const urls: string[] = [];
    const fakeFetch = (async (url: string | URL) => {
      urls.push(String(url));
      return new Response(`0000000000000000000000000000000000A:3\r\n${sha1.slice(5)}:42\r\n`, { status: 200 });
    }) as typeof fetch;
    const check = rangeBreachCheck({ fetch: fakeFetch });
    expect(await passwordProblem(password, ctx, check)).toMatch(/data breach/);
    expect(urls).toEqual([`https://api.pwnedpasswords.com/range/${sha1.slice(0, 5)}`]);
    expect(urls[0]).not.toContain(sha1.slice(5));

    const down = rangeBreachCheck({ fetch: (async () => new Response('', { status: 503 })) as typeof fetch });
    expect(await passwordProblem(password, ctx, down)).toBeNull();
  });
});
