// The views slice's public face: saved views (segments) and chart annotations, their routes and types.
export { viewsRoutes } from './routes.js';
export { listViews, createView, updateView, deleteView, type SavedView } from './saved-views.js';
export { listAnnotations, createAnnotation, updateAnnotation, deleteAnnotation, type Annotation } from './annotations.js';
export { normaliseFilters, ViewFiltersSchema, type ViewFilters, MAX_VIEWS_PER_ORG, MAX_ANNOTATIONS_PER_ORG } from './view-definition.js';
export type { ViewsDeps } from './views-deps.js';
