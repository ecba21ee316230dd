// The security-events slice's public face: the monitor other slices report to (recordTokenUse,
// recordExport, …), its HTTP observers, the Admins' routes, and the pure rules. See docs/security-operations.md.
export { createSecurityMonitor, type SecurityMonitor, type SecurityMonitorDeps, type ExportActor } from './monitor.js';
export { observeAuthAudit } from './auth-observer.js';
export { httpMonitor, trustedCountry } from './http-monitor.js';
export { securityEventRoutes } from './routes.js';
export { memoryWindowStore, redisWindowStore, type WindowStore } from './window-store.js';
export { RULES, TOKEN_RULES, BULK_EXPORT_ROWS, deviceFamily, judgeTokenUse } from './rules.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.js';
export type { Severity } from './security-tables.table.js';
