// An Admin changes the organisation's settings (name, reporting currency, timezone). Audited with the
// names of the fields changed and, for currency and timezone, the old and new values (not personal data).
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { cleanOrgName, getOrganisation, isCurrency, isTimezone, type OrgSettings } from './organisations.js';
import type { TeamsDeps } from './teams-deps.js';

export interface SettingsPatch {
  name?: string;
  reportingCurrency?: string;
  timezone?: string;
}

export async function updateSettings(
  deps: Pick<TeamsDeps, 'db' | 'clock'>,
  input: { orgId: string; actorId: string; patch: SettingsPatch; context?: { ip?: string | null; userAgent?: string | null } },
): Promise<OrgSettings> {
  const { patch } = input;
  const set: { name?: string; reporting_currency?: string; timezone?: string } = {};
  if (patch.name !== undefined) {
    const name = cleanOrgName(patch.name);
    if (!name) throw new HttpProblem(422, 'organisation name must be 1 to 200 printable characters');
    set.name = name;
  }
  if (patch.reportingCurrency !== undefined) {
    if (!isCurrency(patch.reportingCurrency)) throw new HttpProblem(422, 'reportingCurrency must be an ISO 4217 code such as GBP');
    set.reporting_currency = patch.reportingCurrency;
  }
  if (patch.timezone !== undefined) {
    if (!isTimezone(patch.timezone)) throw new HttpProblem(422, 'timezone must be an IANA zone such as Europe/London');
    set.timezone = patch.timezone;
  }
  const now = deps.clock();
  return withOrg(deps.db, input.orgId, async (tx) => {
    const before = await getOrganisation(tx, input.orgId);
    if (!before) throw new HttpProblem(404, 'organisation not found');
    if (Object.keys(set).length === 0) return before;
    await tx.updateTable('organisations').set(set).where('id', '=', input.orgId).execute();
    const after = (await getOrganisation(tx, input.orgId)) as OrgSettings;
    const changes: Record<string, { from: string; to: string }> = {};
    if (set.reporting_currency !== undefined) changes.reportingCurrency = { from: before.reportingCurrency, to: after.reportingCurrency };
    if (set.timezone !== undefined) changes.timezone = { from: before.timezone, to: after.timezone };
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.actorId },
      action: 'org.settings_changed',
      target: { type: 'organisation', id: input.orgId },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { fields: Object.keys(patch).filter((k) => patch[k as keyof SettingsPatch] !== undefined), changes },
      at: now,
    });
    return after;
  });
}
