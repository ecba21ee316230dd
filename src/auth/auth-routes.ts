// /api/auth/* and /api/me. Thin: validate (TypeBox), call one operation, set or clear the cookie.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AuthDeps } from './auth-deps.js';
import { requestMeta, requireAuth } from './auth-plugin.js';
import { changePassword } from './change-password.js';
import { confirmEmailChange } from './confirm-email-change.js';
import { confirmTotp } from './confirm-totp.js';
import { disableTotp } from './disable-totp.js';
import { EMAIL_CHANGE_TOKEN_MAX } from './email-change-token.js';
import { enrollTotp } from './enroll-totp.js';
import { forgotPassword } from './forgot-password.js';
import { getMe } from './get-me.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';
import { reauthenticate } from './reauth.js';
import { requestEmailChange } from './request-email-change.js';
import { requestEmailVerification } from './request-email-verification.js';
import { resetPassword } from './reset-password.js';
import { revokeSession } from './revoke-session.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import { listUserSessions } from './sessions.js';
import { useRecoveryCode } from './use-recovery-code.js';
import { verifyEmail } from './verify-email.js';
import { verifyTotp } from './verify-totp.js';
import { withoutOrg } from '../db/tenant.js';
import { CsrfTokenSchema, LoginAnswerSchema, MeSchema, OkSchema, RecoveryCodesSchema, SessionListSchema, TotpEnrolmentSchema } from './auth-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const NoBody = Type.Object({}, { additionalProperties: false });
const Email = Type.String({ minLength: 3, maxLength: 254 });
// Length is checked by the policy with a clear message; the schema only bounds what is read.
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH * 4 });
const Code = Type.String({ minLength: 1, maxLength: 40 });
const Token = Type.String({ minLength: 20, maxLength: 100 });
const EmailChangeToken = Type.String({ minLength: 20, maxLength: EMAIL_CHANGE_TOKEN_MAX });
// The JSON answers, declared (auth-schemas.ts): Fastify sends only these fields.
const ok = { 200: OkSchema };
const accepted = { 202: OkSchema };
const body = <T extends Record<string, ReturnType<typeof Type.String>>>(props: T) => Type.Object(props, { additionalProperties: false });

export function authRoutes(deps: AuthDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/auth/csrf', { schema: { querystring: NoQuery, response: { 200: CsrfTokenSchema } }, config: { access: 'public', rateLimit: 'read' } }, async (_request, reply) => ({
      token: reply.generateCsrf(),
    }));

    app.post(
      '/api/auth/login',
      { schema: { querystring: NoQuery, body: body({ email: Email, password: Password }), response: { 200: LoginAnswerSchema } }, config: { access: 'public', rateLimit: 'auth' } },
      async (request, reply) => {
        const out = await login(deps, request.body, requestMeta(request), request.auth?.sessionId ?? null);
        setSessionCookie(reply, out.token);
        return { next: out.next };
      },
    );

    app.post('/api/auth/totp/enroll', { schema: { querystring: NoQuery, body: NoBody, response: { 200: TotpEnrolmentSchema } }, config: { access: 'session', rateLimit: 'auth' } }, async (request) =>
      enrollTotp(deps, requireAuth(request).userId),
    );

    app.post(
      '/api/auth/totp/confirm',
      { schema: { querystring: NoQuery, body: body({ code: Code }), response: { 200: RecoveryCodesSchema } }, config: { access: 'session', rateLimit: 'auth' } },
      async (request, reply) => {
        const out = await confirmTotp(deps, sessionOf(request), request.body.code, requestMeta(request));
        setSessionCookie(reply, out.token);
        return { recoveryCodes: out.recoveryCodes };
      },
    );

    app.post(
      '/api/auth/totp/verify',
      { schema: { querystring: NoQuery, body: body({ code: Code }), response: ok }, config: { access: 'session', rateLimit: 'auth' } },
      async (request, reply) => {
        const out = await verifyTotp(deps, sessionOf(request), request.body.code, requestMeta(request));
        setSessionCookie(reply, out.token);
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/recovery',
      { schema: { querystring: NoQuery, body: body({ code: Code }), response: ok }, config: { access: 'session', rateLimit: 'auth' } },
      async (request, reply) => {
        const out = await useRecoveryCode(deps, sessionOf(request), request.body.code, requestMeta(request));
        setSessionCookie(reply, out.token);
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/totp/disable',
      { schema: { querystring: NoQuery, body: body({ password: Password, code: Code }), response: ok }, config: { access: 'user', rateLimit: 'auth' } },
      async (request) => {
        const auth = requireAuth(request);
        await disableTotp(deps, { id: auth.sessionId, userId: auth.userId }, request.body, requestMeta(request));
        return { ok: true } as const;
      },
    );

    app.post('/api/auth/logout', { schema: { querystring: NoQuery, body: NoBody, response: ok }, config: { access: 'session', rateLimit: 'auth' } }, async (request, reply) => {
      await logout(deps, { id: requireAuth(request).sessionId, userId: requireAuth(request).userId }, requestMeta(request));
      clearSessionCookie(reply);
      return { ok: true } as const;
    });

    app.post(
      '/api/auth/reauth',
      { schema: { querystring: NoQuery, body: body({ password: Password, code: Code }), response: ok }, config: { access: 'user', rateLimit: 'auth' } },
      async (request) => {
        const auth = requireAuth(request);
        await reauthenticate(deps, { id: auth.sessionId, userId: auth.userId }, request.body, requestMeta(request));
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/password/change',
      { schema: { querystring: NoQuery, body: body({ password: Password }), response: ok }, config: { access: 'user', rateLimit: 'auth' } },
      async (request) => {
        const auth = requireAuth(request);
        await changePassword(deps, { id: auth.sessionId, userId: auth.userId, recentAuthAt: auth.recentAuthAt }, request.body.password, requestMeta(request));
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/password/forgot',
      { schema: { querystring: NoQuery, body: body({ email: Email }), response: accepted }, config: { access: 'public', rateLimit: 'auth' } },
      async (request, reply) => {
        const { deliver } = await forgotPassword(deps, request.body.email, requestMeta(request));
        // Only once the answer is out: its timing must not depend on whether a link is made.
        void reply.then(deliver, deliver);
        reply.code(202);
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/password/reset',
      {
        schema: {
          querystring: NoQuery,
          body: Type.Object({ token: Token, password: Password, code: Type.Optional(Code) }, { additionalProperties: false }),
          response: ok,
        },
        config: { access: 'public', rateLimit: 'auth' },
      },
      async (request, reply) => {
        await resetPassword(deps, request.body, requestMeta(request));
        clearSessionCookie(reply);
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/email/verify',
      { schema: { querystring: NoQuery, body: body({ token: Token }), response: ok }, config: { access: 'public', rateLimit: 'auth' } },
      async (request) => {
        await verifyEmail(deps, request.body.token, requestMeta(request));
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/email/change',
      { schema: { querystring: NoQuery, body: body({ newEmail: Email }), response: accepted }, config: { access: 'user', rateLimit: 'auth' } },
      async (request, reply) => {
        const auth = requireAuth(request);
        await requestEmailChange(deps, { userId: auth.userId, recentAuthAt: auth.recentAuthAt }, request.body.newEmail, requestMeta(request));
        reply.code(202);
        return { ok: true } as const;
      },
    );

    app.post(
      '/api/auth/email/change/confirm',
      { schema: { querystring: NoQuery, body: body({ token: EmailChangeToken }), response: ok }, config: { access: 'public', rateLimit: 'auth' } },
      async (request) => {
        const auth = request.auth;
        await confirmEmailChange(deps, request.body.token, auth ? { sessionId: auth.sessionId, userId: auth.userId } : null, requestMeta(request));
        return { ok: true } as const;
      },
    );

    app.post('/api/auth/email/resend', { schema: { querystring: NoQuery, body: NoBody, response: accepted }, config: { access: 'session', rateLimit: 'auth' } }, async (request, reply) => {
      await requestEmailVerification(deps, requireAuth(request).userId);
      reply.code(202);
      return { ok: true } as const;
    });

    app.get('/api/auth/sessions', { schema: { querystring: NoQuery, response: { 200: SessionListSchema } }, config: { access: 'user', rateLimit: 'read' } }, async (request) => {
      const auth = requireAuth(request);
      const sessions = await withoutOrg(deps.db, (tx) => listUserSessions(tx, auth.userId));
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          ip: s.ip,
          userAgent: s.userAgent,
          current: s.id === auth.sessionId,
        })),
      };
    });

    app.delete(
      '/api/auth/sessions/:sessionId',
      { schema: { querystring: NoQuery, params: Type.Object({ sessionId: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) }) }, config: { access: 'user', rateLimit: 'write', noResponseSchema: '204 No Content' } },
      async (request, reply) => {
        const auth = requireAuth(request);
        await revokeSession(deps, auth.userId, request.params.sessionId, requestMeta(request));
        if (request.params.sessionId === auth.sessionId) clearSessionCookie(reply);
        return reply.code(204).send();
      },
    );

    app.get('/api/me', { schema: { querystring: NoQuery, response: { 200: MeSchema } }, config: { access: 'user', rateLimit: 'read' } }, async (request) => getMe(deps, requireAuth(request).userId));
  };
}

function sessionOf(request: Parameters<typeof requireAuth>[0]) {
  const auth = requireAuth(request);
  return { id: auth.sessionId, userId: auth.userId, createdAt: auth.createdAt, stage: auth.stage };
}
