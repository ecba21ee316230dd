// Feeds authentication's audit events to the security monitor: every wrong password is already reported
// to the audit log by src/auth/login.ts, so observing that one stream sees all of them without changing
// the login path. The event still goes to the audit log first; observation never blocks or fails sign-in.
import type { AuthAudit } from '../auth/index.js';
import type { SecurityMonitor } from './monitor.js';

export function observeAuthAudit(inner: AuthAudit, monitor: Pick<SecurityMonitor, 'loginFailed'>): AuthAudit {
  return {
    async record(event) {
      await inner.record(event);
      if (event.action === 'auth.login' && event.result === 'failure') monitor.loginFailed({ userId: event.userId, ip: event.ip });
    },
  };
}
