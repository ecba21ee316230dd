// The alert messages: plain text first, HTML that escapes everything interpolated. No secrets, no customer
// data — the rule, the counts and a link to the organisation's security events page.
import { escapeHtml, type MailMessage } from '../mail/index.js';
import type { Severity } from './security-tables.table.js';

const SIGNATURE = '— Mowt security';

function message(to: string, subject: string, lines: string[], link?: string): MailMessage {
  const text = `${lines.join('\n\n')}${link ? `\n\n${link}` : ''}\n\n${SIGNATURE}\n`;
  const html = `<!doctype html>\n<html><body>\n${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}${
    link ? `\n<p><a href="${escapeHtml(link)}">Open security events</a></p>` : ''
  }\n</body></html>\n`;
  return { to, subject, text, html };
}

export function orgAlertEmail(to: string, a: { orgName: string; severity: Severity; summary: string; at: Date; link: string }): MailMessage {
  return message(
    to,
    `[Mowt security ${a.severity}] ${a.orgName}: ${a.summary}`,
    [
      `Mowt noticed something unusual in ${a.orgName} at ${a.at.toISOString()} (UTC):`,
      a.summary,
      'You receive this because you are an Admin of the organisation. Review the event and, if it was not expected, revoke the sessions or tokens involved.',
    ],
    a.link,
  );
}

export function newSignInEmail(to: string, s: { what: string; at: Date; link: string }): MailMessage {
  return message(
    to,
    'New sign-in to your Mowt account',
    [
      `Your Mowt account was just signed in to from ${s.what}, at ${s.at.toISOString()} (UTC).`,
      'If it was you, there is nothing to do. If it was not, change your password now, end your other sessions, and contact security@mowt.com.',
    ],
    s.link,
  );
}

export function oncallEmail(to: string, a: { rule: string; severity: Severity; summary: string; at: Date }): MailMessage {
  return message(to, `[Mowt on-call ${a.severity}] ${a.rule}: ${a.summary}`, [`${a.at.toISOString()} — ${a.rule}`, a.summary, 'See the on-call runbook in docs/security-operations.md.']);
}
