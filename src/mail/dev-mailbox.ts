// Development mail: each message is written as an .eml file (mode 0600) under <dataDir>/mail and announced
// on the console with the recipient masked and no body (bodies carry sign-in links and tokens).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Mailer } from './mailer.js';

export function maskAddress(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

export function devMailbox(opts: { dataDir: string; from: string; logger: Logger }): Mailer & { dir: string } {
  const dir = path.join(opts.dataDir, 'mail');
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    dir,
    async send(message) {
      const info = await builder.sendMail({ from: opts.from, ...message });
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
      const file = path.join(dir, name);
      await fs.writeFile(file, info.message as Buffer, { mode: 0o600 });
      opts.logger.info({ to: maskAddress(message.to), subject: message.subject, file }, 'mail written to the development mailbox');
    },
  };
}
