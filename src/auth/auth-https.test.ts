// The real wiring: createApp over HTTPS (TLS 1.3) with the production bcrypt cost, real field encryption,
// the audit log and the development mailbox.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { createUser } from './create-user.js';
import { SESSION_COOKIE } from './sessions.js';
import { GOOD_PASSWORD } from './test-support.js';
import { totpCodeAt } from './totp.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('authentication over real HTTPS', () => {
  let app: TestApp;
  const jar = new Map<string, string>();

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const all: Record<string, string> = { ...headers };
    if (payload !== undefined) all['content-type'] = 'application/json';
    if (jar.size > 0) all.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: app.httpsPort, method, path, rejectUnauthorized: false, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [pair = ''] = c.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq);
            const value = pair.slice(eq + 1);
            if (value === '' || /Max-Age=0/i.test(c) || /Expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
            else jar.set(name, value);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('signs up an admin, enrols TOTP and reaches /api/me; bcrypt cost 12 in production wiring; events audited', async () => {
    const email = 'first.admin@example.com';
    const { id } = await createUser(app.services.auth, { email, name: 'First Admin', password: GOOD_PASSWORD });
    const stored = await app.db.owner.selectFrom('user_passwords').select('hash').where('user_id', '=', id).executeTakeFirstOrThrow();
    expect(stored.hash).toMatch(/^\$2b\$12\$/);
    const user = await app.db.owner.selectFrom('users').select('email_encrypted').where('id', '=', id).executeTakeFirstOrThrow();
    expect(user.email_encrypted).toMatch(/^mw1:d:\d+:/);

    const token = (JSON.parse((await call('GET', '/api/auth/csrf')).body) as { token: string }).token;
    const origin = app.config.baseUrl;
    const post = (path: string, body: unknown = {}) => call('POST', path, body, { origin, 'x-csrf-token': token });

    const login = await post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body)).toEqual({ next: 'enroll-totp' });
    expect(jar.get(SESSION_COOKIE)).toBeDefined();

    const blocked = await call('GET', '/api/me');
    expect(blocked.status).toBe(403);
    expect(JSON.parse(blocked.body)).toMatchObject({ detail: 'enrol two-factor authentication first' });

    const enrol = JSON.parse((await post('/api/auth/totp/enroll')).body) as { secret: string; otpauthUri: string; qrSvg: string };
    expect(enrol.otpauthUri).toContain('issuer=Mowt');
    const confirm = await post('/api/auth/totp/confirm', { code: totpCodeAt(enrol.secret, new Date()) });
    expect(confirm.status).toBe(200);
    expect((JSON.parse(confirm.body) as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);

    const me = await call('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(me.body)).toEqual({ user: { id, email, name: 'First Admin', emailVerified: false }, orgs: [] });

    const cross = await call('POST', '/api/auth/logout', {}, { origin: 'https://evil.example', 'x-csrf-token': token });
    expect(cross.status).toBe(403);
    expect((await call('GET', '/api/me')).status).toBe(200);
    expect((await post('/api/auth/logout')).status).toBe(200);
    expect((await call('GET', '/api/me')).status).toBe(401);

    const actions = await app.db.owner.selectFrom('audit_log').select(['action', 'result']).where('org_id', 'is', null).orderBy('seq').execute();
    expect(actions.map((a) => `${a.action}:${a.result}`)).toEqual(
      expect.arrayContaining(['auth.login.password:success', 'auth.totp.enroll:success', 'auth.logout:success']),
    );
  });
});
