// Transactional messages. Links are always built by the caller from config.baseUrl (never a Host header).
// Every message has a plain-text part; the HTML part escapes everything interpolated into it.
import type { MailMessage } from './mailer.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function html(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = link ? `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html>\n<html><body>\n${body}${button}\n</body></html>\n`;
}

const SIGNATURE = '— Mowt';

export function verificationEmail(to: string, link: string): MailMessage {
  const lines = ['Please confirm your email address for Mowt.', 'This link works once and expires in 30 minutes.'];
  return {
    to,
    subject: 'Confirm your email address',
    text: `${lines[0]}\n\n${link}\n\n${lines[1]}\n\n${SIGNATURE}\n`,
    html: html(lines, { href: link, label: 'Confirm email address' }),
  };
}

export function passwordResetEmail(to: string, link: string): MailMessage {
  const lines = [
    'Someone asked to reset the password of your Mowt account.',
    'This link works once and expires in 30 minutes. You will also need your two-factor code.',
    'If it was not you, ignore this message: your password has not changed.',
  ];
  return {
    to,
    subject: 'Reset your Mowt password',
    text: `${lines[0]}\n\n${link}\n\n${lines[1]}\n${lines[2]}\n\n${SIGNATURE}\n`,
    html: html(lines, { href: link, label: 'Choose a new password' }),
  };
}

export function passwordChangedEmail(to: string): MailMessage {
  const lines = [
    'The password of your Mowt account was just changed and your other sessions were signed out.',
    'If it was not you, reset your password now and contact security@mowt.com.',
  ];
  return { to, subject: 'Your Mowt password was changed', text: `${lines.join('\n\n')}\n\n${SIGNATURE}\n`, html: html(lines) };
}

export function emailChangeConfirmEmail(to: string, link: string): MailMessage {
  const lines = [
    'Someone asked to use this address for their Mowt account. Confirm it to make the change.',
    'This link works once and expires in 30 minutes. If it was not you, ignore this message: nothing changes.',
  ];
  return {
    to,
    subject: 'Confirm your new email address',
    text: `${lines[0]}\n\n${link}\n\n${lines[1]}\n\n${SIGNATURE}\n`,
    html: html(lines, { href: link, label: 'Confirm new email address' }),
  };
}

/** Sent instead of a confirmation when the address already has an account (the requester is told nothing). */
export function emailChangeTakenEmail(to: string): MailMessage {
  const lines = [
    'Someone tried to change the email address of a Mowt account to this address, which already has a Mowt account. Nothing was changed.',
    'If it was you, use a different address or sign in to your existing account. If it was not you, you can ignore this message.',
  ];
  return { to, subject: 'Someone tried to use your address on Mowt', text: `${lines.join('\n\n')}\n\n${SIGNATURE}\n`, html: html(lines) };
}

export function emailChangeRequestedEmail(to: string, newEmail: string): MailMessage {
  const lines = [
    `Someone signed in to your Mowt account asked to change its email address to ${newEmail}. The change happens only once the new address is confirmed.`,
    'If it was not you, reset your password now and contact security@mowt.com.',
  ];
  return { to, subject: 'Email address change requested on your Mowt account', text: `${lines.join('\n\n')}\n\n${SIGNATURE}\n`, html: html(lines) };
}

export function emailChangedEmail(to: string, newEmail: string): MailMessage {
  const lines = [
    `The email address of your Mowt account was changed to ${newEmail} and your other sessions were signed out. Mail about the account now goes there.`,
    'If it was not you, contact security@mowt.com.',
  ];
  return { to, subject: 'Your Mowt email address was changed', text: `${lines.join('\n\n')}\n\n${SIGNATURE}\n`, html: html(lines) };
}

export type TwoFactorChange = 'enabled' | 'disabled' | 'recovery-code-used';

export function twoFactorChangedEmail(to: string, change: TwoFactorChange): MailMessage {
  const what = {
    enabled: 'Two-factor authentication was turned on for your Mowt account and new recovery codes were issued.',
    disabled: 'Two-factor authentication was turned off for your Mowt account. You must set it up again before you can use Mowt.',
    'recovery-code-used': 'A recovery code was used to sign in to your Mowt account. Each code works only once.',
  }[change];
  const lines = [what, 'If it was not you, reset your password now and contact security@mowt.com.'];
  return { to, subject: 'Two-factor authentication changed on your Mowt account', text: `${lines.join('\n\n')}\n\n${SIGNATURE}\n`, html: html(lines) };
}

export function inviteEmail(to: string, invite: { orgName: string; role: string; inviterName: string; link: string }): MailMessage {
  const lines = [
    `${invite.inviterName} invited you to join ${invite.orgName} on Mowt as ${invite.role}.`,
    'This invitation works once and expires in 7 days.',
  ];
  return {
    to,
    subject: `Join ${invite.orgName} on Mowt`,
    text: `${lines[0]}\n\n${invite.link}\n\n${lines[1]}\n\n${SIGNATURE}\n`,
    html: html(lines, { href: invite.link, label: 'Accept invitation' }),
  };
}
