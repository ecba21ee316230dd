// What the operator commands of the security-operations slices (staff, access-review, incident) work with:
// the configured database (schema must be current), field encryption, mail and a logger. Tests build the
// same shape over a test database instead of calling open().
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/index.js';
import type { OncallConfig } from './alerter.js';

export interface OperatorContext {
  db: Db;
  crypto: FieldCrypto;
  mailer: Mailer;
  logger: Logger;
  clock: Clock;
  baseUrl: () => string;
  oncall: OncallConfig;
  out: (line: string) => void;
  close(): Promise<void>;
}

export async function openOperatorContext(config: Config, out: (line: string) => void = console.log): Promise<OperatorContext> {
  const [{ openDatabase }, { unmigratedReason }, { auditKeyEvents, createFieldCrypto, createKmsFromConfig }, { createMailer }, { createLogger }] = await Promise.all([
    import('../db/database.js'),
    import('../db/migrate.js'),
    import('../crypto/index.js'),
    import('../mail/index.js'),
    import('../http/logger.js'),
  ]);
  const db = await openDatabase(config.database);
  try {
    const unmigrated = await unmigratedReason(db.owner);
    if (unmigrated) throw new Error(unmigrated);
    const clock: Clock = () => new Date();
    const crypto = await createFieldCrypto({ db, kms: createKmsFromConfig(config), clock, onEvent: auditKeyEvents(db) });
    const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
    const mailer = createMailer(config, logger);
    return { db, crypto, mailer, logger, clock, baseUrl: () => config.baseUrl, oncall: config.oncall, out, close: () => db.close() };
  } catch (err) {
    await db.close();
    throw err;
  }
}
