// The consent check for a staff member calling an organisation's route (plugged into the permission hook).
//
//   no such organisation                                   → 404
//   no approved, unexpired grant for this organisation     → 403 staff_consent_required
//   not GET/HEAD (staff access is read-only)               → 403 staff_read_only
//   a permission outside what staff may read               → 403 staff_out_of_scope
//   otherwise request.org = { id, role: 'viewer', staff }
//
// Every call — allowed or refused — is appended to the organisation's audit log as 'staff.request' with the
// route, so its Admins see exactly what was read, and reported to the security monitor.
import type { FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { OrgContext, StaffGate } from '../teams/permission-hook.js';
import { NOT_FOUND } from '../teams/permission-hook.js';
import { activeGrant, countGrantUse } from './grants.js';
import type { StaffDeps } from './staff-deps.js';

/** What staff may read under a grant: what a Viewer sees, plus the member list and the audit log. */
export const STAFF_READ_PERMISSIONS: readonly string[] = ['org.read', 'dashboards.read', 'members.read', 'audit.read'];

export const STAFF_CONSENT_REQUIRED = 'staff_consent_required';

type Verdict = { kind: 'missing' } | { kind: 'no-consent' } | { kind: 'read-only' | 'out-of-scope' | 'ok'; grantId: string };

export function staffGate(deps: Pick<StaffDeps, 'db' | 'clock' | 'monitor'>): StaffGate {
  return async (request: FastifyRequest, orgId: string, permission: string): Promise<OrgContext> => {
    const staff = request.staff;
    if (!staff) throw new HttpProblem(401, 'staff sign-in required');
    const now = deps.clock();
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    const readOnly = request.method === 'GET' || request.method === 'HEAD';
    const verdict: Verdict = await withOrg(deps.db, orgId, async (tx) => {
      const org = await tx.selectFrom('organisations').select('id').where('id', '=', orgId).executeTakeFirst();
      if (!org) return { kind: 'missing' };
      const grant = await activeGrant(tx, orgId, staff.staffId, now);
      if (!grant) return { kind: 'no-consent' };
      if (!readOnly) return { kind: 'read-only', grantId: grant.id };
      if (!STAFF_READ_PERMISSIONS.includes(permission)) return { kind: 'out-of-scope', grantId: grant.id };
      await countGrantUse(tx, grant.id, now);
      return { kind: 'ok', grantId: grant.id };
    });
    if (verdict.kind === 'missing') throw new HttpProblem(404, NOT_FOUND);
    const grantId = verdict.kind === 'no-consent' ? null : verdict.grantId;
    const ua = request.headers['user-agent'];
    await appendAudit(deps.db, {
      orgId,
      actor: { type: 'staff', id: staff.staffId },
      action: 'staff.request',
      target: { type: 'route', id: route },
      result: verdict.kind === 'ok' ? 'success' : 'denied',
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua : null,
      metadata: { path: request.url.split('?')[0] ?? '', grantId, permission, ...(verdict.kind === 'ok' ? {} : { refused: verdict.kind }) },
      at: now,
    });
    deps.monitor.recordStaffAccess({ orgId, staffId: staff.staffId, grantId, allowed: verdict.kind === 'ok', route, ip: request.ip, at: now });
    if (verdict.kind === 'no-consent') throw new HttpProblem(403, 'staff access to this organisation needs an approved access request', { code: STAFF_CONSENT_REQUIRED });
    if (verdict.kind === 'read-only') throw new HttpProblem(403, 'staff access is read-only', { code: 'staff_read_only' });
    if (verdict.kind === 'out-of-scope') throw new HttpProblem(403, 'staff may read dashboards, settings, members and the audit log only', { code: 'staff_out_of_scope' });
    return { id: orgId, role: 'viewer', staff: { id: staff.staffId, grantId: verdict.grantId } };
  };
}
