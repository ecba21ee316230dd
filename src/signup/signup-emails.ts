// The mail the owner of an address gets when someone signs up with it again: the sign-up answer itself is
// identical either way (no account enumeration), so the real owner learns it here instead.
import { escapeHtml } from '../mail/templates.js';
import type { MailMessage } from '../mail/mailer.js';

export function signupExistingAccountEmail(to: string, links: { signIn: string; reset: string }): MailMessage {
  const lines = [
    'Someone (maybe you) tried to create a new Mowt organisation with this email address, which already has an account.',
    'If it was you, sign in instead — you can create or join organisations from your account. If you forgot your password, reset it.',
    'If it was not you, ignore this message: nothing was created and your account is unchanged.',
  ];
  return {
    to,
    subject: 'You already have a Mowt account',
    text: `${lines.join('\n\n')}\n\nSign in: ${links.signIn}\nReset password: ${links.reset}\n\n— Mowt\n`,
    html: `<!doctype html>\n<html><body>\n${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}\n<p><a href="${escapeHtml(links.signIn)}">Sign in</a> · <a href="${escapeHtml(links.reset)}">Reset password</a></p>\n</body></html>\n`,
  };
}
