// The breach notice an affected organisation's Admins receive. Drafted from this template when the breach is
// recorded (operators can read the draft with `mowt incident show`), then mailed. It says what UK GDPR
// Art. 33(3) asks a processor to tell its controller: what happened, what data, likely consequences,
// what Mowt did and does, and whom to contact.
import { escapeHtml, type MailMessage } from '../mail/index.js';

export interface NoticeFacts {
  orgName: string;
  incidentTitle: string;
  detectedAt: Date;
  summary: string;
  statusUrl: string;
}

export function draftBreachNotice(f: NoticeFacts): { subject: string; body: string } {
  const subject = `Important: a personal data breach affecting ${f.orgName} on Mowt`;
  const body = [
    `We are writing to tell you about a security incident at Mowt that affected personal data of ${f.orgName}.`,
    `What happened: ${f.incidentTitle}. We became aware of it at ${f.detectedAt.toISOString()} (UTC).`,
    `What we know so far: ${f.summary}`,
    'As the processor of this data we notify you, the controller, without undue delay so that you can assess whether you must notify the ICO and the people concerned within 72 hours of becoming aware.',
    'What we are doing: the incident is contained or being contained, every access is being reviewed in the audit log, and we will send updates as we learn more. Your organisation\'s audit log and security events in Mowt show the activity concerned.',
    `Status and updates: ${f.statusUrl}`,
    'Questions: reply to security@mowt.com; our security team is on call 24/7.',
  ].join('\n\n');
  return { subject, body };
}

export function breachNoticeEmail(to: string, notice: { subject: string; body: string }): MailMessage {
  return {
    to,
    subject: notice.subject,
    text: `${notice.body}\n\n— Mowt security\n`,
    html: `<!doctype html>\n<html><body>\n${notice.body
      .split('\n\n')
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('\n')}\n<p>— Mowt security</p>\n</body></html>\n`,
  };
}
