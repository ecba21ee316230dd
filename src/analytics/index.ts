// The analytics slice's public face: the service the composition root builds (materialised metrics kept
// fresh from Stripe changes, and their routes), and the plain query functions other slices (the /api/v1 read
// API) call with the service's `deps`.
export { createAnalyticsService, type AnalyticsService, type AnalyticsServiceInput } from './analytics-service.js';
export {
  cashSeries, churnSeries, cohortTable, customerDetail, customerList, failedPaymentSeries, kpis, metricsStatus, movements, mrrSeries, planTable, summary,
  trialSeries, QueryError, type Filters, type QueryDeps, type MrrRow, type SummaryView,
} from './queries.js';
export { parseFilters, runQuery, DATASETS } from './routes.js';
export { ChurnRowSchema, DaySchema, KpisViewSchema, MrrRowSchema, StatusViewSchema, SummaryViewSchema } from './api-schemas.js';
export { fullRecompute, recomputeCustomerSnapshot } from './materialise.js';
