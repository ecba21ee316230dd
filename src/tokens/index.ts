// Organisation API tokens for the read-only public API: format, storage, management routes, bearer checks.
export { bearerPlugin, tokenOf, WRONG_ROUTE_FOR_TOKEN, type BearerOptions } from './bearer-plugin.js';
export { authenticateApiToken, TokenRefused, type ApiTokenAuth } from './authenticate-token.js';
export { createApiToken, listApiTokenViews, revokeApiTokenById, type ApiTokenView, type TokenDeps } from './manage-tokens.js';
export { tokenRoutes } from './routes.js';
export { API_SCOPES, ALL_SCOPES, type ApiScope } from './scopes.js';
export { hashApiToken, newApiToken, tokenPrefix } from './token-format.js';
