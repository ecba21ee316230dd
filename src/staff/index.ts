// The staff slice's public face: staff accounts apart from customers, consent-based read access, offboarding
// and the monthly access review. See docs/security-operations.md.
export { staffRoutes } from './routes.js';
export { staffGate, STAFF_CONSENT_REQUIRED, STAFF_READ_PERMISSIONS } from './staff-gate.js';
export { staffSessionLoader, STAFF_COOKIE } from './staff-sessions.js';
export { createStaff, findStaffByEmail, StaffCommandError } from './staff-accounts.js';
export { disableStaff, type OffboardReport } from './offboard.js';
export { accessReview, formatAccessReview, monthRange } from './access-review.js';
export { grantState, requestAccess, decideGrant, listOrgGrants } from './grants.js';
export { registerStaffCommands } from './staff-command.js';
export type { StaffDeps } from './staff-deps.js';
export { MAX_GRANT_HOURS } from './staff-deps.js';
export { withStaff } from './with-staff.js';
