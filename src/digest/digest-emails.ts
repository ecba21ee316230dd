// The metrics digest and movement notification messages. Every one carries List-Unsubscribe with a
// one-click POST URL (RFC 8058) and List-Unsubscribe-Post, plus the same link in the body (which opens a
// confirmation page: a GET never changes anything).
import { minorUnitExponent } from '../metrics/index.js';
import { escapeHtml } from '../mail/templates.js';
import type { MailMessage } from '../mail/mailer.js';
import type { CustomerMovement, PeriodMetrics } from './metrics-source.js';

export function money(minor: number, currency: string, signed = false): string {
  const exponent = minorUnitExponent(currency);
  const value = minor / 10 ** exponent;
  const text = new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(Math.abs(value));
  if (!signed) return value < 0 ? `-${text}` : text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

const KIND_LABEL: Record<string, string> = { new: 'New', upgrade: 'Upgrade', downgrade: 'Downgrade', churn: 'Churned', reactivation: 'Reactivated' };

export function digestEmail(to: string, m: PeriodMetrics, ctx: { orgName: string; cadence: 'daily' | 'weekly'; dashboardUrl: string; unsubscribeUrl: string }): MailMessage {
  const change = m.mrr - m.mrrAtStart;
  const cur = m.currency;
  const rows: [string, string][] = [
    ['MRR', `${money(m.mrr, cur)} (${money(change, cur, true)})`],
    ['New', money(m.movements.new, cur, true)],
    ['Expansion', money(m.movements.expansion, cur, true)],
    ['Reactivation', money(m.movements.reactivation, cur, true)],
    ['Contraction', money(m.movements.contraction, cur, true)],
    ['Churn', money(m.movements.churn, cur, true)],
    ['Paying customers', String(m.payingCustomers)],
    ['New customers', String(m.newCustomers)],
    ['Churned customers', String(m.churnedCustomers)],
  ];
  const notable = m.notable.map((n) => `${KIND_LABEL[n.kind] ?? n.kind}: ${customerLabel(n)} ${money(n.amount, cur, true)} (${n.day})`);
  const title = `${ctx.cadence === 'daily' ? 'Daily' : 'Weekly'} Mowt digest — ${ctx.orgName}`;
  const text = [
    `${title}, ${m.from === m.to ? m.to : `${m.from} to ${m.to}`}`,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    ...(notable.length ? ['Notable customers:', ...notable.map((n) => `- ${n}`), ''] : []),
    `Dashboard: ${ctx.dashboardUrl}`,
    `Unsubscribe from this digest: ${ctx.unsubscribeUrl}`,
    '',
    '— Mowt',
  ].join('\n');
  const html = `<!doctype html>\n<html><body>\n<h1 style="font-size:18px">${escapeHtml(title)}</h1>\n<p>${escapeHtml(m.from === m.to ? m.to : `${m.from} to ${m.to}`)}</p>\n<table>\n${rows
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n')}\n</table>\n${notable.length ? `<h2 style="font-size:15px">Notable customers</h2>\n<ul>\n${notable.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>\n` : ''}<p><a href="${escapeHtml(ctx.dashboardUrl)}">Open the dashboard</a></p>\n<p style="font-size:12px"><a href="${escapeHtml(ctx.unsubscribeUrl)}">Unsubscribe from this digest</a></p>\n</body></html>\n`;
  return { to, subject: `${title}: MRR ${money(m.mrr, cur)} (${money(change, cur, true)})`, text: `${text}\n`, html, headers: unsubscribeHeaders(ctx.unsubscribeUrl) };
}

/** "Acme Ltd (cus_123)" when the customer has a name, else the Stripe id. */
export function customerLabel(c: { customerId: string; customerName?: string | null }): string {
  return c.customerName ? `${c.customerName} (${c.customerId})` : c.customerId;
}

export function movementLines(movements: CustomerMovement[], currency: string): string[] {
  return movements.map((mv) => `${KIND_LABEL[mv.kind] ?? mv.kind}: ${customerLabel(mv)} ${money(mv.amount, currency, true)} MRR (${mv.day})`);
}

export function movementEmail(to: string, movements: CustomerMovement[], currency: string, ctx: { orgName: string; dashboardUrl: string; unsubscribeUrl: string }): MailMessage {
  const lines = movementLines(movements, currency);
  const subject = `${ctx.orgName}: ${movements.length} customer movement${movements.length === 1 ? '' : 's'}`;
  return {
    to,
    subject,
    text: `${subject}\n\n${lines.map((l) => `- ${l}`).join('\n')}\n\nDashboard: ${ctx.dashboardUrl}\nStop these notifications: ${ctx.unsubscribeUrl}\n\n— Mowt\n`,
    html: `<!doctype html>\n<html><body>\n<p><strong>${escapeHtml(subject)}</strong></p>\n<ul>\n${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('\n')}\n</ul>\n<p><a href="${escapeHtml(ctx.dashboardUrl)}">Open the dashboard</a></p>\n<p style="font-size:12px"><a href="${escapeHtml(ctx.unsubscribeUrl)}">Stop these notifications</a></p>\n</body></html>\n`,
    headers: unsubscribeHeaders(ctx.unsubscribeUrl),
  };
}
