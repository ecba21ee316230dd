// The public read API (/api/v1): token-only GET routes and their OpenAPI document.
export { apiV1Routes, OPENAPI_PATH, type ApiV1Deps } from './routes.js';
export { buildOpenApiDocument, openApiPath, type V1RouteInfo } from './openapi.js';
