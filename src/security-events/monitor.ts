// The security monitor: the one entry point other slices report activity to. It counts (window store,
// token-usage table, seen devices), asks the pure rules (rules.ts) whether something is anomalous, and
// then raises a security event — stored in the organisation's table, written to its audit log, alerted to
// its Admins (warning and above) — or an on-call event for patterns across organisations.
//
// Reporting never slows or fails the request that reports: the observers (login failures, denied
// requests, 5xx, sign-ins) run in the background; settled() lets tests and shutdown wait for them.
import type { Logger } from 'pino';
import { appendAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import type { Mailer } from '../mail/index.js';
import { withUser } from '../teams/with-user.js';
import { newSignInEmail } from './alert-templates.js';
import { deliverOncallAlert, deliverOrgAlert, type OncallConfig } from './alerter.js';
import {
  countTokenUse,
  firstTokenUse,
  insertOncallEvent,
  insertSecurityEvent,
  markAlerted,
  markOncallAlerted,
  pruneTokenUsage,
  tokenUsageSince,
  type NewOncallEvent,
  type NewSecurityEvent,
} from './events-repo.js';
import {
  BULK_EXPORT_ROWS,
  countryCode,
  deviceFamily,
  hourOfDayIn,
  hourStart,
  isNewForUser,
  judgeTokenUse,
  RULES,
  TOKEN_RULES,
  windowBucket,
  windowExceeded,
  type WindowRule,
} from './rules.js';
import type { Severity } from './security-tables.table.js';
import type { WindowStore } from './window-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SecurityMonitorDeps {
  db: Db;
  crypto: FieldCrypto;
  mailer: Mailer;
  logger: Logger;
  clock: Clock;
  windows: WindowStore;
  baseUrl: () => string;
  oncall: OncallConfig;
  customerWebhooksPublicOnly: boolean;
}

export type ExportActor = { type: 'user' | 'token' | 'staff'; id: string };

export interface SecurityMonitor {
  /** A wrong password (userId null for an unknown address). */
  loginFailed(e: { userId: string | null; ip: string | null; at?: Date }): void;
  /** Both factors passed: checks the device family and country against the user's history. */
  signInCompleted(e: { userId: string; ip: string | null; userAgent: string | null; country: string | null; at?: Date }): void;
  /** One request authenticated by an organisation API token (call it from the token auth path). */
  recordTokenUse(orgId: string, tokenId: string, at?: Date): Promise<void>;
  /** Any export of organisation data (CSV/JSON downloads, GDPR export): call it from the export routes. */
  recordExport(e: { orgId: string; actor: ExportActor; rows: number; kind: string; ip?: string | null; at?: Date }): Promise<void>;
  /** A staff member read (or tried to read) an organisation's data. */
  recordStaffAccess(e: { orgId: string; staffId: string; grantId: string | null; allowed: boolean; route: string; ip?: string | null; at?: Date }): void;
  /** The permission hook answered 404 to a caller who is not a member of :orgId. */
  crossTenantDenied(e: { ip: string; orgId: string; at?: Date }): void;
  /** A 5xx answer. */
  serverError(e: { route: string; at?: Date }): void;
  /** Raises an event of one organisation: stored, audited, alerted (warning and above). */
  raise(e: NewSecurityEvent): Promise<string | null>;
  /** Raises an event for Mowt's on-call channel. */
  raiseOncall(e: NewOncallEvent): Promise<string | null>;
  /** Resolves once all background work reported so far has finished. */
  settled(): Promise<void>;
}

export function createSecurityMonitor(deps: SecurityMonitorDeps): SecurityMonitor {
  const pending = new Set<Promise<unknown>>();
  const background = (work: () => Promise<unknown>) => {
    const p = work().catch((err: unknown) => deps.logger.error({ err }, 'security monitor failed'));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  /** Work the caller awaits itself (its errors are the caller's) but that settled() must also wait for. */
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    const settled = work.then(() => undefined, () => undefined);
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return work;
  };
  // Dedupe keys this process already raised: a continuing burst does not try the insert on every failure.
  const raisedKeys = new Set<string>();
  const remember = (key: string) => {
    if (raisedKeys.size > 50_000) raisedKeys.clear();
    raisedKeys.add(key);
  };

  const alertTarget = { db: deps.db, clock: deps.clock, crypto: deps.crypto, mailer: deps.mailer, logger: deps.logger, baseUrl: deps.baseUrl, oncall: deps.oncall, customerWebhooksPublicOnly: deps.customerWebhooksPublicOnly };

  async function raise(e: NewSecurityEvent): Promise<string | null> {
    const cacheKey = `${e.orgId}:${e.dedupeKey}`;
    if (raisedKeys.has(cacheKey)) return null;
    const id = await withOrg(deps.db, e.orgId, async (tx) => {
      const newId = await insertSecurityEvent(tx, deps.crypto, e);
      if (newId) {
        await appendAudit(tx, {
          orgId: e.orgId,
          actor: { type: 'system', id: null },
          action: 'security.event',
          target: { type: 'security_event', id: newId },
          result: 'success',
          metadata: { rule: e.rule, severity: e.severity, ...(e.subject ? { subjectType: e.subject.type, subjectId: e.subject.id } : {}) },
          at: e.at,
        });
      }
      return newId;
    });
    remember(cacheKey);
    if (!id) return null;
    if (e.severity !== 'info') {
      const errors = await deliverOrgAlert(alertTarget, { orgId: e.orgId, eventId: id, rule: e.rule, severity: e.severity, summary: e.summary, at: e.at });
      await withOrg(deps.db, e.orgId, (tx) => markAlerted(tx, id, deps.clock(), errors.length ? errors.join('; ') : null));
    }
    return id;
  }

  async function raiseOncall(e: NewOncallEvent): Promise<string | null> {
    if (raisedKeys.has(`oncall:${e.dedupeKey}`)) return null;
    const id = await withoutOrg(deps.db, (tx) => insertOncallEvent(tx, e));
    remember(`oncall:${e.dedupeKey}`);
    if (!id) return null;
    await appendAudit(deps.db, {
      orgId: null,
      actor: { type: 'system', id: null },
      action: 'security.oncall_event',
      target: { type: 'security_oncall_event', id },
      ip: typeof e.details.ip === 'string' ? e.details.ip : null,
      metadata: { rule: e.rule, severity: e.severity },
      at: e.at,
    });
    const errors = await deliverOncallAlert(alertTarget, { id, rule: e.rule, severity: e.severity, summary: e.summary, at: e.at, details: e.details });
    await withoutOrg(deps.db, (tx) => markOncallAlerted(tx, id, deps.clock(), errors.length ? errors.join('; ') : null));
    return id;
  }

  /** Counts one occurrence; answers the dedupe key when the window just reached its threshold. */
  async function count(key: string, rule: WindowRule, at: Date, member?: string): Promise<string | null> {
    const n = await deps.windows.add(key, at, rule.windowMs, member);
    return windowExceeded(n, rule) ? `${key}:${windowBucket(at, rule)}` : null;
  }

  async function orgsOf(userId: string): Promise<string[]> {
    const rows = await withUser(deps.db, userId, (tx) => tx.selectFrom('memberships').select('org_id').where('user_id', '=', userId).execute());
    return rows.map((r) => r.org_id);
  }

  async function onLoginFailed(e: { userId: string | null; ip: string | null; at: Date }): Promise<void> {
    if (e.ip) {
      const key = await count(`login-fail:ip:${e.ip}`, RULES.failedLoginsPerIp, e.at);
      if (key) {
        await raiseOncall({
          rule: 'login.failed_burst.ip',
          severity: 'warning',
          at: e.at,
          summary: `${RULES.failedLoginsPerIp.threshold}+ failed sign-ins from one address within ${RULES.failedLoginsPerIp.windowMs / 60_000} minutes (password spraying?)`,
          details: { ip: e.ip },
          dedupeKey: key,
        });
      }
    }
    if (!e.userId) return;
    const orgs = await orgsOf(e.userId);
    const accountKey = await count(`login-fail:user:${e.userId}`, RULES.failedLoginsPerAccount, e.at);
    for (const orgId of orgs) {
      if (accountKey) {
        await raise({
          orgId,
          rule: 'login.failed_burst.account',
          severity: 'warning',
          at: e.at,
          subject: { type: 'user', id: e.userId },
          summary: `${RULES.failedLoginsPerAccount.threshold}+ failed sign-ins for one member's account within ${RULES.failedLoginsPerAccount.windowMs / 60_000} minutes`,
          details: { ip: e.ip },
          dedupeKey: accountKey,
        });
      }
      const orgKey = await count(`login-fail:org:${orgId}`, RULES.failedLoginsPerOrg, e.at);
      if (orgKey) {
        await raise({
          orgId,
          rule: 'login.failed_burst.org',
          severity: 'critical',
          at: e.at,
          summary: `${RULES.failedLoginsPerOrg.threshold}+ failed sign-ins across the organisation's members within ${RULES.failedLoginsPerOrg.windowMs / 60_000} minutes`,
          details: { lastIp: e.ip },
          dedupeKey: orgKey,
        });
      }
    }
  }

  /** Whether `value` is new for the user (and remembers it either way). */
  async function seen(userId: string, kind: 'device' | 'country', value: string, at: Date): Promise<boolean> {
    const index = await deps.crypto.blindIndex(null, 'exact', `${kind}\0${value}`);
    return withoutOrg(deps.db, async (tx) => {
      const history = await tx.selectFrom('security_seen_values').select(['value_index']).where('user_id', '=', userId).where('kind', '=', kind).execute();
      const known = history.some((h) => h.value_index === index);
      await tx
        .insertInto('security_seen_values')
        .values({ user_id: userId, kind, value_index: index, first_seen_at: at, last_seen_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'kind', 'value_index']).doUpdateSet({ last_seen_at: at }))
        .execute();
      return isNewForUser(known, history.length);
    });
  }

  async function onSignIn(e: { userId: string; ip: string | null; userAgent: string | null; country: string | null; at: Date }): Promise<void> {
    const device = deviceFamily(e.userAgent);
    const country = countryCode(e.country);
    const newDevice = await seen(e.userId, 'device', device, e.at);
    const newCountry = country ? await seen(e.userId, 'country', country, e.at) : false;
    if (!newDevice && !newCountry) return;
    const what = [newDevice ? `a new device (${device})` : null, newCountry ? `a new country (${country})` : null].filter(Boolean).join(' and ');
    const user = await withoutOrg(deps.db, (tx) => tx.selectFrom('users').select(['email_encrypted']).where('id', '=', e.userId).executeTakeFirst());
    if (user) {
      const email = await deps.crypto.decryptSystemField({ table: 'users', column: 'email_encrypted', rowId: e.userId }, user.email_encrypted);
      try {
        await deps.mailer.send(newSignInEmail(email, { what, at: e.at, link: `${deps.baseUrl()}/` }));
      } catch (err) {
        deps.logger.error({ err, userId: e.userId }, 'new sign-in notice could not be mailed');
      }
    }
    const day = Math.floor(e.at.getTime() / DAY);
    for (const orgId of await orgsOf(e.userId)) {
      await raise({
        orgId,
        rule: newCountry ? 'signin.new_country' : 'signin.new_device',
        severity: 'info',
        at: e.at,
        subject: { type: 'user', id: e.userId },
        summary: `A member signed in from ${newDevice && newCountry ? 'a new device and a new country' : newDevice ? 'a new device' : 'a new country'}; they were notified by mail`,
        details: { ip: e.ip, device, country },
        dedupeKey: `signin:${e.userId}:${device}:${country ?? '-'}:${day}`,
      });
    }
  }

  async function recordTokenUse(orgId: string, tokenId: string, at = deps.clock()): Promise<void> {
    const hour = hourStart(at);
    const { uses, check, timezone } = await withOrg(deps.db, orgId, async (tx) => {
      const n = await countTokenUse(tx, orgId, tokenId, hour);
      if (n === 1) await pruneTokenUsage(tx, orgId, tokenId, new Date(hour.getTime() - (TOKEN_RULES.baselineHours + 24) * HOUR));
      const spikeCheck = n >= TOKEN_RULES.spikeMinUses && (n === TOKEN_RULES.spikeMinUses || n % 50 === 0);
      const org = n === 1 || spikeCheck ? await tx.selectFrom('organisations').select('timezone').where('id', '=', orgId).executeTakeFirst() : undefined;
      return { uses: n, check: n === 1 || spikeCheck, timezone: org?.timezone ?? 'UTC' };
    });
    if (!check) return;
    const since = new Date(hour.getTime() - TOKEN_RULES.baselineHours * HOUR);
    const { rows, first } = await withOrg(deps.db, orgId, async (tx) => ({
      rows: await tokenUsageSince(tx, orgId, tokenId, since, hour),
      first: await firstTokenUse(tx, orgId, tokenId),
    }));
    const hourly = new Array<number>(TOKEN_RULES.baselineHours).fill(0);
    const byHourOfDay = new Array<number>(24).fill(0);
    for (const r of rows) {
      const i = Math.floor((r.hour.getTime() - since.getTime()) / HOUR);
      if (i >= 0 && i < hourly.length) hourly[i] = r.uses;
      const h = hourOfDayIn(r.hour, timezone);
      byHourOfDay[h] = (byHourOfDay[h] ?? 0) + r.uses;
    }
    const ageHours = first ? (hour.getTime() - first.getTime()) / HOUR : 0;
    const verdict = judgeTokenUse(uses, hourOfDayIn(at, timezone), { hourly, byHourOfDay, ageHours });
    if (verdict.spike) {
      await raise({
        orgId,
        rule: 'token.usage_spike',
        severity: 'warning',
        at,
        subject: { type: 'api_token', id: tokenId },
        summary: `An API token made ${uses} requests this hour, ${TOKEN_RULES.spikeFactor}× more than its 7-day average of ${verdict.baselinePerHour.toFixed(1)} per hour`,
        details: { uses, baselinePerHour: Number(verdict.baselinePerHour.toFixed(2)) },
        dedupeKey: `token-spike:${tokenId}:${hour.toISOString()}`,
      });
    }
    if (uses === 1 && verdict.unusualHour) {
      await raise({
        orgId,
        rule: 'token.unusual_hour',
        severity: 'warning',
        at,
        subject: { type: 'api_token', id: tokenId },
        summary: `An API token was used at ${String(hourOfDayIn(at, timezone)).padStart(2, '0')}:00 (${timezone}), an hour it has not been used in the past 7 days`,
        details: { hourOfDay: hourOfDayIn(at, timezone), timezone },
        dedupeKey: `token-hour:${tokenId}:${Math.floor(at.getTime() / DAY)}`,
      });
    }
  }

  async function recordExport(e: { orgId: string; actor: ExportActor; rows: number; kind: string; ip?: string | null; at?: Date }): Promise<void> {
    const at = e.at ?? deps.clock();
    if (e.rows >= BULK_EXPORT_ROWS) {
      await raise({
        orgId: e.orgId,
        rule: 'export.bulk',
        severity: 'warning',
        at,
        subject: { type: e.actor.type, id: e.actor.id },
        summary: `A ${e.kind} export of ${e.rows} rows was downloaded`,
        details: { ip: e.ip ?? null, kind: e.kind, rows: e.rows },
        dedupeKey: `export-bulk:${e.actor.id}:${at.toISOString()}`,
      });
    }
    const key = await count(`exports:${e.orgId}:${e.actor.id}`, RULES.exportsPerActor, at);
    if (key) {
      await raise({
        orgId: e.orgId,
        rule: 'export.burst',
        severity: 'warning',
        at,
        subject: { type: e.actor.type, id: e.actor.id },
        summary: `${RULES.exportsPerActor.threshold}+ exports by one ${e.actor.type === 'token' ? 'API token' : e.actor.type === 'staff' ? 'staff member' : 'member'} within an hour`,
        details: { ip: e.ip ?? null, lastKind: e.kind },
        dedupeKey: key,
      });
    }
  }

  async function recordStaffAccess(e: { orgId: string; staffId: string; grantId: string | null; allowed: boolean; route: string; ip?: string | null; at?: Date }): Promise<void> {
    const at = e.at ?? deps.clock();
    const day = Math.floor(at.getTime() / DAY);
    await raise({
      orgId: e.orgId,
      rule: e.allowed ? 'staff.access' : 'staff.access_refused',
      severity: 'warning',
      at,
      subject: { type: 'staff', id: e.staffId },
      summary: e.allowed
        ? 'A Mowt staff member is reading the organisation’s data under an access grant you approved; every request is in the audit log'
        : 'A Mowt staff member tried to read the organisation’s data without an approved access grant and was refused',
      details: { ip: e.ip ?? null, route: e.route, grantId: e.grantId },
      // One alert per grant per day (allowed) or per staff member per hour (refused): every request is audited anyway.
      dedupeKey: e.allowed ? `staff:${e.grantId ?? e.staffId}:${day}` : `staff-refused:${e.staffId}:${Math.floor(at.getTime() / HOUR)}`,
    });
  }

  async function onDenied(e: { ip: string; orgId: string; at: Date }): Promise<void> {
    const probe = await count(`probe:ip:${e.ip}`, RULES.probingOrgsPerIp, e.at, e.orgId);
    if (probe) {
      await raiseOncall({
        rule: 'probe.many_orgs',
        severity: 'critical',
        at: e.at,
        summary: `One address was refused by ${RULES.probingOrgsPerIp.threshold}+ different organisations within ${RULES.probingOrgsPerIp.windowMs / 60_000} minutes (tenant probing?)`,
        details: { ip: e.ip },
        dedupeKey: probe,
      });
    }
    const spike = await count('denied:all', RULES.deniedCrossTenant, e.at);
    if (spike) {
      await raiseOncall({
        rule: 'denied.cross_tenant_spike',
        severity: 'warning',
        at: e.at,
        summary: `${RULES.deniedCrossTenant.threshold}+ cross-tenant requests refused within ${RULES.deniedCrossTenant.windowMs / 60_000} minutes`,
        details: { lastIp: e.ip },
        dedupeKey: spike,
      });
    }
  }

  async function onServerError(e: { route: string; at: Date }): Promise<void> {
    const key = await count('5xx:all', RULES.serverErrors, e.at);
    if (key) {
      await raiseOncall({
        rule: 'errors.5xx_burst',
        severity: 'critical',
        at: e.at,
        summary: `${RULES.serverErrors.threshold}+ server errors within ${RULES.serverErrors.windowMs / 60_000} minutes`,
        details: { lastRoute: e.route },
        dedupeKey: key,
      });
    }
  }

  return {
    loginFailed: (e) => background(() => onLoginFailed({ ...e, at: e.at ?? deps.clock() })),
    signInCompleted: (e) => background(() => onSignIn({ ...e, at: e.at ?? deps.clock() })),
    // The bearer plugin does not await the usage count (the request must not wait for it); settled() does.
    recordTokenUse: (orgId, tokenId, at) => tracked(recordTokenUse(orgId, tokenId, at)),
    recordExport: (e) => tracked(recordExport(e)),
    recordStaffAccess: (e) => background(() => recordStaffAccess(e)),
    crossTenantDenied: (e) => background(() => onDenied({ ...e, at: e.at ?? deps.clock() })),
    serverError: (e) => background(() => onServerError({ ...e, at: e.at ?? deps.clock() })),
    raise,
    raiseOncall,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export type { Severity };
