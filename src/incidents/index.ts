// The incidents slice's public face: incident records, the 72-hour breach-notice clock and the public
// status page. See docs/security-operations.md.
export { BREACH_NOTICE_HOURS, isNoticeOverdue, noticeDueAt, hoursLeft } from './breach-clock.js';
export { checkBreachDeadlines, openIncident, updateIncident, sendBreachNotices, listIncidents, IncidentError, type IncidentDeps } from './incidents.js';
export { statusRoutes, publicStatus, renderStatusHtml } from './status-page.js';
export { registerIncidentCommands, runIncident } from './incident-command.js';
export { scheduleBreachDeadlineCheck, BREACH_DEADLINE_QUEUE } from './deadline-job.js';
