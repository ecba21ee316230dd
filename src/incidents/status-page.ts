// The public status page: GET /api/status (JSON) and GET /status (server-rendered HTML with its own
// stylesheet at /status.css — no inline script or style, so the strict CSP holds). Shows only incidents
// operators marked public: open ones, those resolved in the last 90 days, and published post-mortems.
// Never names an affected organisation.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withoutOrg } from '../db/tenant.js';
import { escapeHtml } from '../mail/index.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const DAY = 86_400_000;
export const STATUS_HISTORY_DAYS = 90;

const PublicIncidentSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  severity: Type.String(),
  startedAt: Type.String(),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  updates: Type.Array(Type.Object({ at: Type.String(), status: Type.String(), message: Type.String() })),
  postmortem: Type.Union([Type.Object({ publishedAt: Type.String(), text: Type.String() }), Type.Null()]),
});
export type PublicIncident = Static<typeof PublicIncidentSchema>;

/** What the public status page shows: also the allow-list of what GET /api/status may send of an incident. */
export const PublicStatusSchema = Type.Object({
  status: Type.Union([Type.Literal('operational'), Type.Literal('degraded'), Type.Literal('major_outage')]),
  updatedAt: Type.String(),
  incidents: Type.Array(PublicIncidentSchema),
});
export type PublicStatus = Static<typeof PublicStatusSchema>;

export async function publicStatus(db: Db, now: Date): Promise<PublicStatus> {
  const since = new Date(now.getTime() - STATUS_HISTORY_DAYS * DAY);
  const { incidents, updates } = await withoutOrg(db, async (tx) => {
    const incidents = await tx
      .selectFrom('incidents')
      .selectAll()
      .where('public', '=', true)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)]))
      .orderBy('started_at', 'desc')
      .limit(50)
      .execute();
    const ids = incidents.map((i) => i.id);
    const updates = ids.length ? await tx.selectFrom('incident_updates').selectAll().where('incident_id', 'in', ids).orderBy('at', 'desc').execute() : [];
    return { incidents, updates };
  });
  const open = incidents.filter((i) => i.status !== 'resolved');
  const status = open.some((i) => i.severity === 'critical') ? 'major_outage' : open.length > 0 ? 'degraded' : 'operational';
  return {
    status,
    updatedAt: now.toISOString(),
    incidents: incidents.map((i) => ({
      id: i.id,
      title: i.title,
      status: i.status,
      severity: i.severity,
      startedAt: i.started_at.toISOString(),
      resolvedAt: i.resolved_at?.toISOString() ?? null,
      updates: updates.filter((u) => u.incident_id === i.id).map((u) => ({ at: u.at.toISOString(), status: u.status, message: u.message })),
      postmortem: i.postmortem && i.postmortem_published_at ? { publishedAt: i.postmortem_published_at.toISOString(), text: i.postmortem } : null,
    })),
  };
}

const HEADLINE: Record<PublicStatus['status'], string> = {
  operational: 'All systems operational',
  degraded: 'Some systems are affected',
  major_outage: 'Major outage',
};

export function renderStatusHtml(s: PublicStatus): string {
  const incident = (i: PublicIncident) => `
<article class="incident incident-${escapeHtml(i.severity)}">
  <h3>${escapeHtml(i.title)}</h3>
  <p class="meta">${escapeHtml(i.status)} · ${escapeHtml(i.severity)} · started <time datetime="${escapeHtml(i.startedAt)}">${escapeHtml(i.startedAt)}</time>${
    i.resolvedAt ? ` · resolved <time datetime="${escapeHtml(i.resolvedAt)}">${escapeHtml(i.resolvedAt)}</time>` : ''
  }</p>
  <ol class="updates">${i.updates.map((u) => `<li><time datetime="${escapeHtml(u.at)}">${escapeHtml(u.at)}</time> <strong>${escapeHtml(u.status)}</strong> — ${escapeHtml(u.message)}</li>`).join('')}</ol>${
    i.postmortem
      ? `\n  <section class="postmortem"><h4>Post-mortem (published ${escapeHtml(i.postmortem.publishedAt)})</h4>${i.postmortem.text
          .split(/\n{2,}/)
          .map((p) => `<p>${escapeHtml(p)}</p>`)
          .join('')}</section>`
      : ''
  }
</article>`;
  const open = s.incidents.filter((i) => i.status !== 'resolved');
  const past = s.incidents.filter((i) => i.status === 'resolved');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mowt status</title>
<link rel="stylesheet" href="/status.css">
</head>
<body>
<main>
<h1>Mowt status</h1>
<p class="headline headline-${s.status}" role="status">${HEADLINE[s.status]}</p>
<p class="meta">Updated <time datetime="${escapeHtml(s.updatedAt)}">${escapeHtml(s.updatedAt)}</time> · <a href="/api/status">JSON</a></p>
<h2>Current incidents</h2>
${open.length ? open.map(incident).join('\n') : '<p>No current incidents.</p>'}
<h2>Past ${STATUS_HISTORY_DAYS} days</h2>
${past.length ? past.map(incident).join('\n') : '<p>No incidents in this period.</p>'}
</main>
</body>
</html>
`;
}

export const STATUS_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f7f7f8;color:#1b1b1f}
main{max-width:48rem;margin:0 auto;padding:2rem 1rem}
.headline{font-size:1.25rem;padding:1rem;border-radius:.5rem;background:#e3f5e8;color:#0b5d26}
.headline-degraded{background:#fff4d6;color:#7a4b00}
.headline-major_outage{background:#fde2e1;color:#8a1c17}
.meta{color:#55565e;font-size:.9rem}
.incident{background:#fff;border:1px solid #dcdce0;border-radius:.5rem;padding:1rem;margin:1rem 0}
.updates{padding-left:1.2rem}
.postmortem{border-top:1px solid #dcdce0;margin-top:1rem}
a{color:#1d4ed8}
`;

export function statusRoutes(deps: { db: Db; clock: Clock }) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/status', { schema: { querystring: NoQuery, response: { 200: PublicStatusSchema } }, config: { access: 'public', rateLimit: 'read' } }, async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=30');
      return publicStatus(deps.db, deps.clock());
    });
    app.get('/status', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'static', noResponseSchema: 'text/html page' } }, async (_request, reply) => {
      const html = renderStatusHtml(await publicStatus(deps.db, deps.clock()));
      return reply.header('cache-control', 'public, max-age=30').type('text/html; charset=utf-8').send(html);
    });
    app.get('/status.css', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'static', noResponseSchema: 'text/css' } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STATUS_CSS),
    );
  };
}
