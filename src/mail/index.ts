// Public face of the mail slice.
export type { Mailer, MailMessage } from './mailer.js';
export { createMailer } from './create-mailer.js';
export { smtpMailer } from './smtp-mailer.js';
export { devMailbox, maskAddress } from './dev-mailbox.js';
export * from './templates.js';
