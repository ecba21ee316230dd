// Security notices must not turn a completed change into an error: the change is done and audited, so a
// mail failure is logged rather than thrown.
import type { MailMessage } from '../mail/mailer.js';
import type { AuthDeps } from './auth-deps.js';

export async function notifyUser(deps: Pick<AuthDeps, 'mailer' | 'logger'>, message: MailMessage): Promise<void> {
  try {
    await deps.mailer.send(message);
  } catch (err) {
    deps.logger.error({ err, subject: message.subject }, 'could not send a security notice');
  }
}
