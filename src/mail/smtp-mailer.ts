// SMTP delivery through nodemailer (SMTP_URL, e.g. smtps://user:pass@smtp.example.com:465).
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Mailer } from './mailer.js';

export interface SmtpMailerOptions {
  url: string;
  from: string;
  /** Extra transport options (tests: accept the test server's self-signed certificate). */
  tls?: { rejectUnauthorized?: boolean };
}

export function smtpMailer(opts: SmtpMailerOptions): Mailer & { close(): void } {
  const options: SMTPTransport.Options = { url: opts.url, ...(opts.tls ? { tls: opts.tls } : {}) };
  const transport = nodemailer.createTransport(options);
  return {
    async send(message) {
      await transport.sendMail({ from: opts.from, ...message });
    },
    close: () => transport.close(),
  };
}
