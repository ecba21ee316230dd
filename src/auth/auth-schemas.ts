// The JSON answers of /api/auth/* and /api/me as TypeBox schemas: the response schemas of auth-routes.ts
// (Fastify serialises exactly these fields, so a password hash, a TOTP secret's ciphertext or a session
// token can never slip into an answer) and, type-only, the web app's view of them. Imports nothing but
// TypeBox, so the web can import its types without bundling anything.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';
import { RoleSchema } from '../teams/teams-schemas.js';


/** `{ ok: true }`: the answer of every auth action that has nothing else to say. */
export const OkSchema = Type.Object({ ok: Type.Literal(true) });
export type Ok = Static<typeof OkSchema>;

/** GET /api/auth/csrf */
export const CsrfTokenSchema = Type.Object({ token: Type.String() });
export type CsrfToken = Static<typeof CsrfTokenSchema>;

export const LoginNextSchema = Type.Union([Type.Literal('totp'), Type.Literal('enroll-totp')]);
export type LoginNext = Static<typeof LoginNextSchema>;

/** POST /api/auth/login: the second step the new (partial) session must take; the token is only in the cookie. */
export const LoginAnswerSchema = Type.Object({ next: LoginNextSchema });
export type LoginAnswer = Static<typeof LoginAnswerSchema>;

/**
 * POST /api/auth/totp/enroll: the pending secret in clear (shown once, so the user can type it into an
 * authenticator that cannot scan), its otpauth:// URI and the QR code as SVG markup.
 */
export const TotpEnrolmentSchema = Type.Object({ secret: Type.String(), otpauthUri: Type.String(), qrSvg: Type.String() });
export type TotpEnrolment = Static<typeof TotpEnrolmentSchema>;

/** POST /api/auth/totp/confirm: the ten recovery codes, returned this once (only their hashes are stored). */
export const RecoveryCodesSchema = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodesSchema>;

/** GET /api/auth/sessions: the user's live sessions; never their tokens. */
export const SessionViewSchema = Type.Object({
  id: Type.String(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});
export type SessionView = Static<typeof SessionViewSchema>;
export const SessionListSchema = Type.Object({ sessions: Type.Array(SessionViewSchema) });
export type SessionList = Static<typeof SessionListSchema>;

/** An organisation the user belongs to, with their role in it. */
export const UserOrgSchema = Type.Object({ id: Type.String(), name: Type.String(), role: RoleSchema });
export type UserOrg = Static<typeof UserOrgSchema>;

/** GET /api/me */
export const MeSchema = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), emailVerified: Type.Boolean() }),
  orgs: Type.Array(UserOrgSchema),
});
export type Me = Static<typeof MeSchema>;
