// The answers of the API-token routes (src/tokens/routes.ts) as TypeBox schemas: the routes' response schemas
// (Fastify sends only these fields, so never a token's hash), the service's return types (via Static<>) and,
// as type-only imports, the web app's. Imports only 'typebox', so its types cost the web bundle nothing.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';


/** The read-only scopes (src/tokens/scopes.ts keeps their descriptions; a compile-time check ties the two). */
export const ApiScopeSchema = Type.Union([Type.Literal('metrics:read'), Type.Literal('org:read')]);

export const TokenStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked'), Type.Literal('suspended')]);
export type TokenStatus = Static<typeof TokenStatusSchema>;

export const ApiTokenViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** `mowt_<prefix>_…`: enough to recognise a token, useless to use one. */
  display: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(ApiScopeSchema),
  createdAt: IsoTime,
  createdBy: Type.String(),
  expiresAt: IsoTime,
  lastUsedAt: Type.Union([IsoTime, Type.Null()]),
  lastUsedIp: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([IsoTime, Type.Null()]),
  /** suspended: its creator is no longer an Admin here, so it is refused until revoked and replaced. */
  status: TokenStatusSchema,
});
export type ApiTokenView = Static<typeof ApiTokenViewSchema>;

/** GET /api/orgs/:orgId/api-tokens: the tokens, what each scope means, and the lifetimes one can choose. */
export const ApiTokenListSchema = Type.Object({
  tokens: Type.Array(ApiTokenViewSchema),
  scopes: Type.Object({ 'metrics:read': Type.String(), 'org:read': Type.String() }),
  expiryDays: Type.Array(Type.Integer()),
});
export type ApiTokenList = Static<typeof ApiTokenListSchema>;

/** POST /api/orgs/:orgId/api-tokens (201): the secret is shown this once. */
export const ApiTokenCreatedSchema = Type.Object({ token: ApiTokenViewSchema, secret: Type.String() });
export type ApiTokenCreated = Static<typeof ApiTokenCreatedSchema>;
