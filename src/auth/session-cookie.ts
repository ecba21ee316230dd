// The session cookie: `__Host-` prefix (Secure, Path=/, no Domain: no subdomain can set or read it),
// HttpOnly (no script access) and SameSite=Lax. It lives at most as long as the absolute session limit;
// the idle limit is enforced on the server.
import type { FastifyReply } from 'fastify';
import { ABSOLUTE_TIMEOUT_MS, SESSION_COOKIE } from './sessions.js';

const COOKIE_OPTIONS = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } as const;

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: ABSOLUTE_TIMEOUT_MS / 1000 });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
}

export const CSRF_COOKIE = '__Host-mowt_csrf';
export const CSRF_COOKIE_OPTIONS = COOKIE_OPTIONS;
