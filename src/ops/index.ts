// Operations: error tracking (Sentry, scrubbed), Prometheus metrics, vulnerability disclosure, dependency checks.
export { createErrorTracker, errorTrackingPlugin, type ErrorTracker } from './sentry.js';
export { scrubBreadcrumb, scrubEvent, scrubString, scrubValue } from './scrub.js';
export { createMetrics, startMetricsServer, type Metrics } from './prometheus.js';
export { disclosureRoutes } from './disclosure-routes.js';
export { securityTxt } from './security-txt.js';
