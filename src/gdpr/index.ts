// GDPR: the public face of src/gdpr.
//   exportOrganisation(deps, orgId)       zip of JSON + CSV of everything an organisation has (streamed)
//   deleteOrganisation(deps, input)       erasure: keys destroyed (crypto-shredding, backups included), rows
//                                         deleted, audit kept with personal fields shredded, system chain record
//   purgeExpiredAudit(db, now)            removes the kept audit entries of deleted organisations past retention
//   gdprRoutes(deps)                      GET /api/orgs/:orgId/data-export, DELETE /api/orgs/:orgId
export { exportOrganisation, csvCell, type ExportDeps, type ExportSummary } from './export-archive.js';
export { deleteOrganisation, AUDIT_RETENTION_DAYS, type DeleteOrgDeps, type DeleteOrgInput, type DeletionReport } from './delete-organisation.js';
export { shredAuditChain } from './shred-audit.js';
export { purgeExpiredAudit } from './purge-expired-audit.js';
export { EXPORT_EXCLUDED, listTenantTables, isSecretColumn } from './tenant-tables.js';
export { gdprRoutes, type GdprRouteDeps } from './routes.js';
