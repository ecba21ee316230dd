// Customer communications: metrics digest, movement notifications, one-click unsubscribe.
export { createDigestService, digestWindow, type DigestDeps, type DigestService, type PreferencesView } from './digest-service.js';
export { digestRoutes } from './routes.js';
export { scheduleDigestJobs, DIGEST_QUEUE, NOTIFY_QUEUE } from './digest-jobs.js';
export { analyticsMetricsSource, type MetricsSource, type PeriodMetrics, type CustomerMovement } from './metrics-source.js';
export { slackSender, type SlackSender } from './slack-webhook.js';
export { parseUnsubscribeToken, unsubscribeToken } from './unsubscribe-token.js';
