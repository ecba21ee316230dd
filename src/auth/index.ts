// The auth slice's public face: the Fastify plugin and routes, request.auth, account creation, session
// revocation, and the pieces the composition root wires.
export { authPlugin, requestMeta, requireAuth, ENROL_2FA_FIRST, type RequestAuth } from './auth-plugin.js';
export { authRoutes } from './auth-routes.js';
export { createAuthDeps, type AuthParts } from './create-auth-deps.js';
export type { AuthDeps, RequestMeta, UserOrg } from './auth-deps.js';
export { databaseAudit, loggerAudit, type AuthAudit, type AuthAuditEvent } from './auth-audit.js';
export { createUser, type CreateUserInput } from './create-user.js';
export { revokeUserSessions, SESSION_COOKIE, SUDO_WINDOW_MS, isRecentlyAuthenticated } from './sessions.js';
export { assertSudo } from './change-password.js';
export { emailField, normaliseEmail, type FieldCrypto } from './field-crypto.js';
export { emailIndexOf, userEmail } from './users.js';
export { totpCodeAt } from './totp.js';
export { purgeExpiredAuth, scheduleAuthCleanup, AUTH_CLEANUP_QUEUE } from './purge-expired-auth.js';
