// An in-memory stand-in for the Mowt API contract (issue 4), answered inside the browser context with
// page.route. It lets the SPA's own behaviour (CSRF header, problem+json handling, redirects, role
// gating, layouts) be tested in a real browser independently of the backend; the backend itself is
// covered by team.e2e.test.ts.
import type { BrowserContext, Route } from 'playwright-core';
import type { ConnectionView } from '../../../src/stripe/stripe-schemas.js';

export type Role = 'admin' | 'member' | 'viewer';

export interface FakeApiOptions {
  role?: Role;
  enrolled?: boolean;
  /** Start already fully signed in. */
  signedIn?: boolean;
  /** Further organisations the person belongs to (for the organisation switcher). */
  otherOrgs?: { id: string; name: string; role: Role }[];
  /** The organisation's Stripe connections (none by default). */
  stripeConnections?: ConnectionView[];
}

/** A restricted-key connection as GET …/stripe/connections answers it; `sync` and the rest overridable. */
export function fakeConnection(id: string, label: string, over: Partial<Omit<ConnectionView, 'sync'>> & { sync?: Partial<ConnectionView['sync']> } = {}): ConnectionView {
  const { sync, ...rest } = over;
  return {
    id, kind: 'restricted_key', label, isDemo: false, stripeAccountId: `acct_${id}`, livemode: true, tokenMasked: `rk_live_…${id.slice(-4)}`, status: 'active',
    webhookSecretSet: false, webhookUrl: null, createdAt: '2026-11-20T09:00:00Z',
    sync: { phase: 'live', progress: 1, etaSeconds: null, lastSuccessAt: '2026-11-25T13:00:00Z', lastError: null, objects: [{ type: 'customers', count: 50, progress: 1, done: true, lastSuccessAt: '2026-11-25T13:00:00Z', lastError: null }], ...sync },
    ...rest,
  };
}

const CSRF = 'csrf-test-token';
const PASSWORD = 'correct horse battery staple';
const CODE = '123456';
// A tiny valid SVG standing in for the QR code: enough to check it renders through <img>.
const QR_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/><rect x="1" y="1" width="7" height="7"/><rect x="13" y="1" width="7" height="7"/><rect x="1" y="13" width="7" height="7"/></svg>';

function problem(route: Route, status: number, detail: string, errors?: { field: string; message: string }[]) {
  return route.fulfill({
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: `Error ${status}`, status, detail, ...(errors ? { errors } : {}) }),
  });
}

function json(route: Route, body: unknown, status = 200) {
  return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
}

export class FakeApi {
  stage: 'none' | 'password' | 'full';
  enrolled: boolean;
  role: Role;
  readonly orgId = '0b9c3a52-8e1f-4a7e-9a55-1f4c2d6e7a10';
  readonly userId = 'a1b2c3d4-0000-4000-8000-000000000001';
  members: { userId: string; name: string; email: string; role: Role; joinedAt: string }[];
  invites: { id: string; email: string; role: Role; createdAt: string; expiresAt: string }[] = [];
  sessions = [
    { id: '11111111-1111-4111-8111-111111111111', current: true, createdAt: '2026-11-25T09:12:00Z', lastSeenAt: '2026-11-25T13:40:00Z', ip: '127.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36' },
    { id: '22222222-2222-4222-8222-222222222222', current: false, createdAt: '2026-11-20T08:00:00Z', lastSeenAt: '2026-11-24T17:05:00Z', ip: '192.0.2.44', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1' },
  ];
  /** Every request seen, as "METHOD /path". */
  readonly requests: string[] = [];
  /** Every state-changing request seen, with the CSRF header it carried. */
  readonly writes: { method: string; path: string; csrf: string | undefined; body: unknown }[] = [];

  readonly otherOrgs: { id: string; name: string; role: Role }[];
  readonly stripeConnections: ConnectionView[];

  constructor(opts: FakeApiOptions = {}) {
    this.otherOrgs = opts.otherOrgs ?? [];
    this.stripeConnections = opts.stripeConnections ?? [];
    this.role = opts.role ?? 'admin';
    this.enrolled = opts.enrolled ?? false;
    this.stage = opts.signedIn ? 'full' : 'none';
    this.members = [
      { userId: this.userId, name: 'Ada Admin', email: 'ada@example.test', role: this.role, joinedAt: '2026-11-01T10:00:00Z' },
      { userId: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'Brian Member', email: 'brian@example.test', role: 'member', joinedAt: '2026-11-03T10:00:00Z' },
    ];
  }

  static readonly password = PASSWORD;
  static readonly code = CODE;

  async install(context: BrowserContext): Promise<void> {
    await context.route('**/api/**', (route) => this.handle(route));
  }

  private me() {
    return { user: { id: this.userId, email: 'ada@example.test', name: 'Ada Admin' }, orgs: [{ id: this.orgId, name: 'Acme Analytics Ltd', role: this.role }, ...this.otherOrgs] };
  }

  private async handle(route: Route): Promise<void> {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname;
    const method = req.method();
    const body = req.postData() ? (JSON.parse(req.postData() ?? '{}') as Record<string, string>) : {};
    this.requests.push(`${method} ${path}`);

    if (method !== 'GET') {
      const csrf = req.headers()['x-csrf-token'];
      this.writes.push({ method, path, csrf, body });
      if (csrf !== CSRF) return problem(route, 403, 'Invalid csrf token');
    }
    if (method === 'GET' && path === '/api/auth/csrf') return json(route, { token: CSRF });

    // Public and half-signed-in steps.
    if (method === 'POST' && path === '/api/auth/login') {
      if (!body.password) return problem(route, 400, 'body: password must NOT have fewer than 1 characters', [{ field: 'password', message: 'must NOT have fewer than 1 characters' }]);
      if (body.password !== PASSWORD) return problem(route, 401, 'Wrong email or password.');
      this.stage = 'password';
      return json(route, { next: this.enrolled ? 'totp' : 'enroll-totp' });
    }
    if (method === 'POST' && path === '/api/auth/password/forgot') return json(route, { ok: true }, 202);
    if (this.stage === 'none') return problem(route, 401, 'sign in first');
    if (method === 'POST' && path === '/api/auth/totp/enroll') {
      return json(route, { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/Mowt:ada%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Mowt', qrSvg: QR_SVG });
    }
    if (method === 'POST' && (path === '/api/auth/totp/confirm' || path === '/api/auth/totp/verify')) {
      if (body.code !== CODE) return problem(route, 400, 'That code is not valid. Check the time on your phone and try again.');
      this.stage = 'full';
      if (path.endsWith('/confirm')) {
        this.enrolled = true;
        return json(route, { recoveryCodes: Array.from({ length: 10 }, (_, i) => `r${i}k7-x2pq-${(1000 + i * 97).toString(36)}`) });
      }
      return json(route, { ok: true });
    }
    if (method === 'POST' && path === '/api/auth/logout') {
      this.stage = 'none';
      return json(route, { ok: true });
    }
    if (!this.enrolled) return problem(route, 403, 'enrol two-factor authentication first');
    if (this.stage !== 'full') return problem(route, 401, 'enter your two-factor code first');

    // Fully signed in.
    if (method === 'GET' && path === '/api/me') return json(route, this.me());
    if (method === 'POST' && path === '/api/auth/reauth') {
      if (body.password !== PASSWORD) return problem(route, 401, 'the password is not correct');
      if (body.code !== CODE) return problem(route, 401, 'the two-factor code is not correct');
      return json(route, { ok: true });
    }
    if (method === 'POST' && path === '/api/auth/password/change') {
      if ((body.password ?? '').length < 12) return problem(route, 400, 'password is too short', [{ field: 'password', message: 'must NOT have fewer than 12 characters' }]);
      return json(route, { ok: true });
    }
    if (method === 'GET' && path === '/api/auth/sessions') return json(route, { sessions: this.sessions });
    const session = path.match(/^\/api\/auth\/sessions\/([^/]+)$/);
    if (method === 'DELETE' && session) {
      this.sessions = this.sessions.filter((s) => s.id !== session[1]);
      return route.fulfill({ status: 204 });
    }
    const org = path.match(/^\/api\/orgs\/([^/]+)\/(.+)$/);
    if (!org || org[1] !== this.orgId) return problem(route, 404, `No route for ${method} ${path}`);
    const rest = org[2] ?? '';
    if (method === 'POST' && rest === 'audit/page-view') return json(route, { recorded: true });
    // A new organisation without Stripe: no figures and no connection (docs/metrics-api.md). The dashboard
    // tests answer these with data through support/fake-metrics.ts.
    if (method === 'GET' && rest === 'metrics/status') {
      return json(route, { state: 'empty', version: 0, currency: 'GBP', timezone: 'Europe/London', from: null, to: null, computedAt: null, lastIncrementalAt: null, lastError: null, warnings: [] });
    }
    if (method === 'GET' && rest === 'stripe/connections') return json(route, { connections: this.stripeConnections });
    const admin = this.role === 'admin';
    if (rest.startsWith('members') || rest.startsWith('invites') || rest.startsWith('audit')) {
      if (!admin) return problem(route, 403, 'your role does not allow this');
    }
    if (method === 'GET' && rest === 'members') return json(route, { members: this.members });
    if (method === 'GET' && rest === 'invites') return json(route, { invites: this.invites });
    if (method === 'POST' && rest === 'invites') {
      if (!/^[^@\s]+@[^@\s]+$/.test(body.email ?? '')) return problem(route, 400, 'body: email is invalid', [{ field: 'email', message: 'must match format "email"' }]);
      this.invites.push({ id: `inv-${this.invites.length + 1}`, email: body.email ?? '', role: (body.role as Role) ?? 'viewer', createdAt: '2026-11-25T13:00:00Z', expiresAt: '2026-12-02T13:00:00Z' });
      return json(route, { id: `inv-${this.invites.length}` }, 201);
    }
    const invite = rest.match(/^invites\/([^/]+)$/);
    if (method === 'DELETE' && invite) {
      this.invites = this.invites.filter((i) => i.id !== invite[1]);
      return route.fulfill({ status: 204 });
    }
    const member = rest.match(/^members\/([^/]+)$/);
    if (member && method === 'PATCH') {
      const m = this.members.find((x) => x.userId === member[1]);
      if (m) m.role = body.role as Role;
      return json(route, { ok: true });
    }
    if (member && method === 'DELETE') {
      this.members = this.members.filter((x) => x.userId !== member[1]);
      return route.fulfill({ status: 204 });
    }
    if (method === 'GET' && rest === 'audit') {
      return json(route, {
        entries: [
          { id: 'e3', seq: 3, occurredAt: '2026-11-25T13:02:00Z', actorType: 'user', actorId: this.userId, action: 'member.invite', targetType: 'invite', targetId: 'inv-1', result: 'success', ip: '127.0.0.1', userAgent: 'Chrome' },
          { id: 'e2', seq: 2, occurredAt: '2026-11-25T12:58:00Z', actorType: 'user', actorId: this.userId, action: 'auth.login', targetType: 'user', targetId: this.userId, result: 'success', ip: '127.0.0.1', userAgent: 'Chrome' },
          { id: 'e1', seq: 1, occurredAt: '2026-11-25T12:57:00Z', actorType: 'system', actorId: 'operator', action: 'org.create', targetType: 'organisation', targetId: this.orgId, result: 'success', ip: null, userAgent: null },
        ],
        nextBefore: null,
      });
    }
    return problem(route, 404, `No route for ${method} ${path}`);
  }
}
