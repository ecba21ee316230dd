// Picks the transport from configuration: SMTP when SMTP_URL is set; otherwise the development mailbox,
// which production refuses (a deployment that silently drops password-reset mail is broken).
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import { devMailbox } from './dev-mailbox.js';
import type { Mailer } from './mailer.js';
import { smtpMailer } from './smtp-mailer.js';

export function createMailer(config: Config, logger: Logger): Mailer {
  if (config.smtpUrl) return smtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  if (config.env === 'production') throw new ConfigError('invalid configuration: SMTP_URL is required in production');
  return devMailbox({ dataDir: config.dataDir, from: config.mailFrom, logger });
}
