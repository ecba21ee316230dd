// The authentication layer every route passes through (fastify-plugin: its hooks apply app-wide).
// onRequest, before the body is even parsed:
//   1. the session: the cookie's token is looked up in the database on every request (revocation is
//      immediate), expired sessions are deleted, last_seen_at slides at most once a minute;
//   2. for POST/PUT/PATCH/DELETE (unless the route sets config.csrf = false because it verifies its own
//      signature, e.g. webhooks): a same-origin Origin (or Sec-Fetch-Site: same-origin) AND a valid
//      X-CSRF-Token bound to the __Host-mowt_csrf cookie — login included (login CSRF);
//   3. config.access: 'public' → anyone; 'session' → any session; 'user' or a permission → a fully
//      authenticated session, and a user without 2FA gets 403 "enrol two-factor authentication first".
// Permission strings are then checked against the caller's role by the teams slice, using request.auth.
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { TooManyAttempts } from './second-factor.js';
import { clearSessionCookie, CSRF_COOKIE, CSRF_COOKIE_OPTIONS } from './session-cookie.js';
import { deleteSession, findSessionByToken, isSessionExpired, isUserActivity, needsTouch, SESSION_COOKIE, touchSession } from './sessions.js';
import type { SessionStage } from './sessions.table.js';

export interface RequestAuth {
  userId: string;
  sessionId: string;
  stage: SessionStage;
  recentAuthAt: Date | null;
  /** When the session was first created (kept across rotations; the 30-day limit counts from it). */
  createdAt: Date;
  /** Whether the user has an active TOTP authenticator. */
  twoFactorEnrolled: boolean;
}

/** A signed-in Mowt staff member (src/staff): own cookie and table, never a user, no organisation. */
export interface StaffPrincipal {
  staffId: string;
  sessionId: string;
}

/** Sets request.staff from the staff session cookie (provided by src/staff). */
export type StaffLoader = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's session, or null when there is none (or it expired or was revoked). */
    auth: RequestAuth | null;
    /** The caller's staff session, or null. Staff reach organisation data only through the permission hook's consent check. */
    staff: StaffPrincipal | null;
  }
  interface FastifyContextConfig {
    /** false: the route authenticates itself by signature (webhooks) and skips the CSRF checks. */
    csrf?: boolean;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export const ENROL_2FA_FIRST = 'enrol two-factor authentication first';
export const SIGN_IN_FIRST = 'sign in first';
export const SECOND_FACTOR_FIRST = 'enter your two-factor code first';
/** Stable `code` members of those problems: clients act on these, not on the wording. */
export const TOTP_ENROLMENT_REQUIRED = 'totp_enrolment_required';
export const TOTP_REQUIRED = 'totp_required';

export function requestMeta(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : null };
}

/** The caller's session, or 401. For handlers of routes whose access already guarantees one. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new HttpProblem(401, SIGN_IN_FIRST);
  return request.auth;
}

/** A request from our own pages: Origin equals the configured public origin, or the browser says same-origin. */
export function isSameOrigin(request: FastifyRequest, baseUrl: string): boolean {
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin === new URL(baseUrl).origin;
  return request.headers['sec-fetch-site'] === 'same-origin';
}

async function loadSession(deps: AuthDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return;
  const now = deps.clock();
  const session = TOKEN_SHAPE.test(token)
    ? await withoutOrg(deps.db, async (tx) => {
        const found = await findSessionByToken(tx, token);
        if (!found) return null;
        if (isSessionExpired(found, now)) {
          await deleteSession(tx, found.id);
          return null;
        }
        if (needsTouch(found, now) && isUserActivity(request.method, request.headers)) await touchSession(tx, found.id, now);
        return found;
      })
    : null;
  if (!session) {
    clearSessionCookie(reply);
    return;
  }
  request.auth = {
    userId: session.userId,
    sessionId: session.id,
    stage: session.stage,
    recentAuthAt: session.recentAuthAt,
    createdAt: session.createdAt,
    twoFactorEnrolled: session.totpEnrolled,
  };
}

function enforceAccess(request: FastifyRequest): void {
  const access = request.routeOptions.config?.access;
  if (access === undefined || access === 'public') return;
  // Token-only routes (/api/v1): the API-token plugin (src/tokens) ran before this hook and set request.apiToken.
  if (access === 'api-token') {
    if (!request.apiToken) throw new HttpProblem(401, 'an API token is required');
    return;
  }
  if (access === 'staff') {
    if (!request.staff) throw new HttpProblem(401, 'staff sign-in required');
    return;
  }
  const auth = request.auth;
  // A staff member may reach permission routes; the permission hook admits them only under an approved grant.
  if (!auth && request.staff && access !== 'session' && access !== 'user') return;
  if (!auth) throw new HttpProblem(401, SIGN_IN_FIRST);
  if (access === 'session') return;
  if (!auth.twoFactorEnrolled) throw new HttpProblem(403, ENROL_2FA_FIRST, { code: TOTP_ENROLMENT_REQUIRED });
  if (auth.stage !== 'full') throw new HttpProblem(401, SECOND_FACTOR_FIRST, { code: TOTP_REQUIRED });
}

function needsCsrf(request: FastifyRequest): boolean {
  const config = request.routeOptions.config;
  return STATE_CHANGING.has(request.method) && config?.access !== undefined && config.csrf !== false;
}

async function registerAuth(app: FastifyInstance, deps: AuthDeps, loadStaff?: StaffLoader): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { ...CSRF_COOKIE_OPTIONS },
    // Only the header: a token in a form body would let a cross-site form carry it.
    getToken: (req) => {
      const t = req.headers['x-csrf-token'];
      return typeof t === 'string' ? t : undefined;
    },
  });
  app.decorateRequest('auth', null);
  app.decorateRequest('staff', null);

  app.addHook('onRequest', async (request, reply) => {
    request.auth = null;
    request.staff = null;
    // Sessions never authenticate the token-only API.
    if (request.routeOptions.config?.access !== 'api-token') await loadSession(deps, request, reply);
    if (loadStaff) await loadStaff(request, reply);
    if (needsCsrf(request) && !isSameOrigin(request, deps.config.baseUrl)) {
      throw new HttpProblem(403, 'cross-origin request refused');
    }
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (needsCsrf(request)) app.csrfProtection(request, reply, done);
    else done();
  });
  app.addHook('onRequest', async (request) => {
    enforceAccess(request);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    // Nothing personal or session-bound may sit in a shared or browser cache.
    if (request.auth || request.staff || request.url.startsWith('/api/auth/') || request.url.startsWith('/api/staff/') || request.url === '/api/me') reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof TooManyAttempts) reply.header('retry-after', String(error.retryAfterSeconds));
  });
}

/** The plugin for the route list of src/app.ts (not encapsulated: its hooks cover every route). */
export function authPlugin(deps: AuthDeps, opts: { loadStaff?: StaffLoader } = {}) {
  return fp(async (app: FastifyInstance) => registerAuth(app, deps, opts.loadStaff), { name: 'mowt-auth', fastify: '5.x' });
}
