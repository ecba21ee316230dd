// The audit slice's public face: append to the hash-chained log, record data access, read and verify it.
export { appendAudit, type AppendedAudit, type AuditActor, type AuditEntry } from './append-audit.js';
export { auditPageView, auditRead, requestContext, type AuditedRead, type ReadRecord, type RequestContext } from './audit-read.js';
export type { AuditActorType, AuditMetadata, AuditResult } from './audit-log.table.js';
export { SYSTEM_CHAIN_ID } from './chain.js';
export { auditCsv, queryAudit, type AuditEntryView, type AuditFilters } from './query-audit.js';
export { AuditVerifierPrivilegeError, verifyAudit, type BrokenEntry, type VerifyReport } from './verify-audit.js';
export { auditRoutes } from './routes.js';
export { registerVerifyAuditCommand, runVerifyAudit } from './verify-audit-command.js';
