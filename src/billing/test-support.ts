/**
 * The real Mowt app (createApp) wired to the Stripe emulator's billing account, for the billing, sign-up
 * and browser tests: Mowt's billing client talks to the emulator over HTTP, and the emulator's signed
 * billing webhooks reach the app through a small relay that injects them into the real server (the
 * emulator's fetch cannot trust the app's self-signed certificate; the request itself is unchanged).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppOverrides } from '../app.js';
import { countingHasher, GOOD_PASSWORD, manualClock, memoryMailer, TEST_ORIGIN, TestBrowser, type ManualClock } from '../auth/test-support.js';
import { totpCodeAt } from '../auth/totp.js';
import { loadConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { createLogger } from '../http/logger.js';
import type { Mailer, MailMessage } from '../mail/mailer.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

export const BILLING_KEY = 'sk_test_billing_mowt_own_account';
export const BILLING_WEBHOOK_SECRET = 'whsec_test_mowt_billing_0123456789';

export interface BillingHarness {
  app: App;
  emulator: RunningEmulator;
  clock: ManualClock;
  mail: Mailer & { sent: MailMessage[] };
  /** Waits for background work (sign-up mail) started so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startBillingHarness(
  db: Db | undefined,
  opts: { env?: Record<string, string>; overrides?: AppOverrides; listen?: boolean; mailer?: Mailer & { sent: MailMessage[] } } = {},
): Promise<BillingHarness> {
  const emulator = await startEmulator({ business: 'empty', rateLimitPerSecond: null });
  let app: App | null = null;
  const relay = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!app) return void res.writeHead(503).end();
      app.server
        .inject({ method: 'POST', url: '/api/billing/webhook', headers: { 'content-type': String(req.headers['content-type'] ?? ''), 'stripe-signature': String(req.headers['stripe-signature'] ?? '') }, payload: Buffer.concat(chunks) })
        .then((r) => res.writeHead(r.statusCode, { 'content-type': 'application/json' }).end(r.body))
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
  const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`;
  await fetch(`${emulator.url}/_emulator/billing/webhook_endpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: relayUrl, secret: BILLING_WEBHOOK_SECRET }) });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-billing-'));
  const env: Record<string, string> = {
    MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_BILLING_STRIPE_SECRET_KEY: BILLING_KEY, MOWT_BILLING_WEBHOOK_SECRET: BILLING_WEBHOOK_SECRET, MOWT_BILLING_API_BASE: emulator.url,
    MOWT_DEMO_EMULATOR: 'false',
    ...(opts.listen ? { PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1' } : { MOWT_BASE_URL: TEST_ORIGIN }),
    ...opts.env,
  };
  const clock = manualClock(new Date());
  const mail = opts.mailer ?? memoryMailer();
  const pending: Promise<void>[] = [];
  app = await createApp(loadConfig(env), {
    ...(db ? { db } : {}),
    clock,
    mailer: mail,
    logger: createLogger({ level: 'silent' }),
    auth: { hasher: countingHasher(4), sleep: async () => undefined },
    ...opts.overrides,
    commercial: { signupMinDurationMs: 0, onBackground: (p) => pending.push(p), ...opts.overrides?.commercial },
  });
  if (opts.listen) await app.listen();
  const running = app;
  return {
    app: running,
    emulator,
    clock,
    mail,
    settle: async () => {
      await Promise.all(pending.splice(0));
    },
    async close() {
      await running.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SignedUp {
  email: string;
  orgId: string;
  userId: string;
  browser: TestBrowser;
  secret: string;
}

/** The link token a message carries (…#token=…). */
export function tokenIn(message: MailMessage | undefined): string {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(message?.text ?? '');
  if (!m?.[1]) throw new Error(`no token link in ${message?.subject ?? 'missing mail'}`);
  return m[1];
}

/** Signs up through the real route; optionally confirms the address; signs in with 2FA. */
export async function signUpAndSignIn(h: BillingHarness, opts: { email: string; orgName?: string; verify?: boolean; enrol?: boolean }): Promise<SignedUp> {
  const browser = new TestBrowser(h.app.server);
  const res = await browser.post('/api/auth/signup', { name: 'Sam Founder', email: opts.email, password: GOOD_PASSWORD, orgName: opts.orgName ?? 'Founder Ltd' });
  if (res.statusCode !== 202) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  await h.settle();
  if (opts.verify !== false) {
    const mail = [...h.mail.sent].reverse().find((m) => m.to === opts.email && m.subject === 'Confirm your email address');
    const verified = await browser.post('/api/auth/email/verify', { token: tokenIn(mail) });
    if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.body}`);
  }
  const login = await browser.post('/api/auth/login', { email: opts.email, password: GOOD_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  let secret = '';
  if (opts.enrol !== false) {
    const enrol = await browser.post('/api/auth/totp/enroll');
    secret = (enrol.json() as { secret: string }).secret;
    const confirm = await browser.post('/api/auth/totp/confirm', { code: totpCodeAt(secret, h.clock()) });
    if (confirm.statusCode !== 200) throw new Error(`TOTP confirm failed: ${confirm.body}`);
  }
  const me = await browser.request('GET', '/api/me');
  const body = me.statusCode === 200 ? (me.json() as { user: { id: string }; orgs: { id: string }[] }) : null;
  const row = await h.app.db.owner.selectFrom('signup_accounts').select(['user_id', 'org_id']).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  return { email: opts.email, orgId: body?.orgs[0]?.id ?? row.org_id, userId: body?.user.id ?? row.user_id, browser, secret };
}

/** Completes the emulator's hosted Checkout page like a browser would ("Pay" or "Fail"). */
export async function completeCheckout(checkoutUrl: string, outcome: 'pay' | 'fail'): Promise<Response> {
  return fetch(`${checkoutUrl}/${outcome}`, { method: 'POST', redirect: 'manual' });
}

export async function emulatorPost(h: BillingHarness, pathname: string, body: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.emulator.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A fresh sign-in (password + the next TOTP step) for a user whose session has expired. */
export async function resignIn(h: BillingHarness, user: SignedUp): Promise<TestBrowser> {
  const browser = new TestBrowser(h.app.server);
  const login = await browser.post('/api/auth/login', { email: user.email, password: GOOD_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  h.clock.advance(30_000);
  const verify = await browser.post('/api/auth/totp/verify', { code: totpCodeAt(user.secret, h.clock()) });
  if (verify.statusCode !== 200) throw new Error(`TOTP verify failed: ${verify.body}`);
  return browser;
}
