// Wiring of the security-operations slices (security events, staff access, incidents) for src/app.ts, so
// the composition root needs only a few lines: the monitor exists before authentication (which reports
// login failures to it); the staff parts need authentication's hasher and throttle.
import type { AuthAudit, AuthDeps } from '../auth/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/index.js';
import type { Logger } from 'pino';
import { statusRoutes } from '../incidents/index.js';
import { createAppSecurityMonitor } from './create-monitor.js';
import { httpMonitor, observeAuthAudit, securityEventRoutes } from './index.js';
import { staffGate, staffRoutes, staffSessionLoader, type StaffDeps } from '../staff/index.js';

export function createSecurityOps(parts: { config: Config; db: Db; logger: Logger; clock: Clock; crypto: FieldCrypto; mailer: Mailer }) {
  const { monitor, close } = createAppSecurityMonitor(parts);
  const { config, db, clock, crypto } = parts;
  return {
    monitor,
    close,
    observeAuth: (audit: AuthAudit) => observeAuthAudit(audit, monitor),
    withAuth(auth: Pick<AuthDeps, 'hasher' | 'throttle'>) {
      const staff: StaffDeps = { ...parts, hasher: auth.hasher, throttle: auth.throttle, monitor, baseUrl: () => config.baseUrl };
      return {
        loadStaff: staffSessionLoader(staff),
        staffGate: staffGate(staff),
        httpMonitor: httpMonitor({ monitor, countryHeader: config.countryHeader, trustProxy: config.trustProxy }),
        routes: [securityEventRoutes({ db, crypto, clock, config }), staffRoutes(staff), statusRoutes({ db, clock })],
      };
    },
  };
}
