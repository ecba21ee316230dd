// `mowt incident open|update|resolve|list|show|notify|check-deadlines`: operators record incidents, their
// affected organisations and whether personal data was breached; breach notices are drafted at once and
// mailed with `notify`. Each command prints what it did and exits non-zero on failure.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { OperatorContext } from '../security-events/operator-context.js';
import { hoursLeft, noticeDueAt } from './breach-clock.js';
import type { IncidentSeverity, IncidentStatus } from './incident-tables.table.js';
import {
  affectedOrgIds,
  checkBreachDeadlines,
  getIncident,
  IncidentError,
  listIncidents,
  noticesOf,
  openIncident,
  sendBreachNotices,
  updateIncident,
  type IncidentDeps,
} from './incidents.js';

type Ctx = IncidentDeps & Pick<OperatorContext, 'out'>;

const SEVERITIES = ['minor', 'major', 'critical'];
const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];

function date(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new IncidentError(`${name} must be an ISO 8601 date-time`);
  return d;
}

async function describe(ctx: Ctx, id: string): Promise<void> {
  const i = await getIncident(ctx.db, id);
  ctx.out(`${i.id}  [${i.status}] ${i.severity}  ${i.title}${i.public ? '  (public)' : ''}`);
  ctx.out(`  started ${i.started_at.toISOString()}${i.resolved_at ? `, resolved ${i.resolved_at.toISOString()}` : ''}`);
  const orgs = await affectedOrgIds(ctx.db, id);
  ctx.out(`  affected organisations: ${orgs.length ? orgs.join(', ') : 'none recorded'}`);
  if (i.personal_data_breach && i.breach_detected_at) {
    const left = hoursLeft(i.breach_detected_at, ctx.clock());
    ctx.out(`  PERSONAL DATA BREACH: detected ${i.breach_detected_at.toISOString()}; notices due by ${noticeDueAt(i.breach_detected_at).toISOString()} (${left >= 0 ? `${left} h left` : `${-left} h OVERDUE`})`);
  }
}

export async function runIncident(ctx: Ctx, action: string, args: Record<string, unknown>): Promise<number> {
  try {
    switch (action) {
      case 'open': {
        const severity = String(args.severity);
        if (!SEVERITIES.includes(severity)) throw new IncidentError(`--severity must be one of ${SEVERITIES.join(', ')}`);
        const { incident, drafted } = await openIncident(ctx, {
          title: String(args.title),
          severity: severity as IncidentSeverity,
          message: String(args.message),
          orgIds: (args.org as string[] | undefined) ?? [],
          breach: Boolean(args.breach),
          breachDetectedAt: date(args.detectedAt as string | undefined, '--detected-at'),
          public: Boolean(args.public),
        });
        ctx.out(`opened incident ${incident.id}`);
        if (drafted) ctx.out(`drafted ${drafted} breach notice(s); review with \`mowt incident show ${incident.id}\`, send with \`mowt incident notify ${incident.id}\``);
        await describe(ctx, incident.id);
        return 0;
      }
      case 'update':
      case 'resolve': {
        const status = action === 'resolve' ? 'resolved' : (args.status as string | undefined);
        if (status !== undefined && !STATUSES.includes(status)) throw new IncidentError(`--status must be one of ${STATUSES.join(', ')}`);
        const postmortemFile = args.postmortemFile as string | undefined;
        const { incident, drafted } = await updateIncident(ctx, String(args.id), {
          status: status as IncidentStatus | undefined,
          message: String(args.message),
          addOrgIds: (args.org as string[] | undefined) ?? [],
          breach: args.breach === true ? true : undefined,
          breachDetectedAt: date(args.detectedAt as string | undefined, '--detected-at'),
          public: args.public === true ? true : args.private === true ? false : undefined,
          postmortem: postmortemFile ? fs.readFileSync(postmortemFile, 'utf8') : undefined,
          publishPostmortem: args.publishPostmortem === true ? true : undefined,
        });
        ctx.out(`${action === 'resolve' ? 'resolved' : 'updated'} incident ${incident.id}`);
        if (drafted) ctx.out(`drafted ${drafted} breach notice(s); send with \`mowt incident notify ${incident.id}\``);
        await describe(ctx, incident.id);
        return 0;
      }
      case 'list': {
        const rows = await listIncidents(ctx.db, { all: Boolean(args.all) });
        if (rows.length === 0) ctx.out(args.all ? 'no incidents recorded' : 'no open incidents');
        for (const r of rows) await describe(ctx, r.id);
        return 0;
      }
      case 'show': {
        await describe(ctx, String(args.id));
        for (const n of await noticesOf(ctx.db, String(args.id))) {
          ctx.out(`\n--- notice for ${n.orgId} (${n.sentAt ? `sent ${n.sentAt.toISOString()} to ${n.recipients ?? 0} Admin(s)` : 'draft, not sent'})`);
          ctx.out(`Subject: ${n.subject}\n\n${n.body}`);
        }
        return 0;
      }
      case 'notify': {
        const reports = await sendBreachNotices(ctx, String(args.id), { onProgress: ctx.out });
        ctx.out(`breach notices: ${reports.filter((r) => !r.alreadySent).length} sent now, ${reports.filter((r) => r.alreadySent).length} sent before`);
        return 0;
      }
      case 'check-deadlines': {
        const overdue = await checkBreachDeadlines(ctx);
        ctx.out(overdue.length ? overdue.map((o) => `OVERDUE ${o.incidentId} ${o.orgId}: ${o.hoursLate} h late${o.alerted ? ' (on-call alerted now)' : ''}`).join('\n') : 'no breach notice is overdue');
        return overdue.length ? 1 : 0;
      }
      default:
        throw new IncidentError(`unknown action ${action}`);
    }
  } catch (err) {
    if (err instanceof IncidentError) {
      ctx.out(`mowt: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerIncidentCommands(program: Command, deps: { open: () => Promise<OperatorContext> }): void {
  const run = (action: string) => async (...argv: unknown[]) => {
    const positional = typeof argv[0] === 'string' ? { id: argv[0] } : {};
    const opts = (argv.find((a) => a !== null && typeof a === 'object' && !Array.isArray(a) && !('parent' in (a as object))) ?? {}) as Record<string, unknown>;
    const ctx = await deps.open();
    try {
      process.exitCode = await runIncident(ctx, action, { ...opts, ...positional });
    } finally {
      await ctx.close();
    }
  };
  const incident = program.command('incident').description('record incidents, breach notices and the public status page (docs/security-operations.md)');
  incident
    .command('open')
    .description('open an incident; with --breach the 72-hour notice clock starts and notices are drafted')
    .requiredOption('--title <title>', 'short public title')
    .requiredOption('--severity <s>', 'minor | major | critical')
    .requiredOption('--message <text>', 'first update (what is known)')
    .option('--org <orgId>', 'an affected organisation (repeat)', collect)
    .option('--breach', 'personal data was breached')
    .option('--detected-at <iso>', 'when Mowt became aware of the breach (default now)')
    .option('--public', 'show it on the /status page')
    .action(run('open'));
  incident
    .command('update')
    .argument('<id>')
    .requiredOption('--message <text>', 'what changed')
    .option('--status <s>', 'investigating | identified | monitoring | resolved')
    .option('--org <orgId>', 'add an affected organisation (repeat)', collect)
    .option('--breach', 'mark as a personal-data breach (starts the clock)')
    .option('--detected-at <iso>', 'when Mowt became aware of the breach')
    .option('--public', 'show it on /status')
    .option('--private', 'hide it from /status')
    .option('--postmortem-file <path>', 'post-mortem text (plain text, blank lines between paragraphs)')
    .option('--publish-postmortem', 'publish the post-mortem on /status')
    .action(run('update'));
  incident
    .command('resolve')
    .argument('<id>')
    .requiredOption('--message <text>', 'the resolution')
    .option('--postmortem-file <path>', 'post-mortem text')
    .option('--publish-postmortem', 'publish the post-mortem on /status')
    .action(run('resolve'));
  incident.command('list').option('--all', 'include resolved incidents').action(run('list'));
  incident.command('show').argument('<id>').description('the incident, its deadline and its drafted notices').action(run('show'));
  incident.command('notify').argument('<id>').description('mail the drafted breach notices to each affected organisation’s Admins').action(run('notify'));
  incident.command('check-deadlines').description('alert on-call about overdue breach notices (what the scheduled job runs); exit 1 if any').action(run('check-deadlines'));
}
