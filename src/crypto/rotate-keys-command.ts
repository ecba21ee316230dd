// `mowt rotate-keys`: runs the rotation cycle now (what the daily job does), printing each step; exit code
// 0 when everything finished, 1 on any failure (the next run resumes where this one stopped).
// The command's code loads only when it runs, so other `mowt` commands do not pay for the AWS SDK.
import type { Command } from 'commander';
import type { RotationReport } from './rotation.js';

export interface RotateKeysCommandOptions {
  force?: boolean;
  batchSize?: number;
  graceSeconds?: number;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number`);
    return n;
  };
}

export function summarise(report: RotationReport): string {
  return [
    `rotated ${report.started.length} key(s)`,
    `re-wrapped ${report.rewrappedDataKeys} data key(s)`,
    `re-encrypted ${report.reencryptedValues} value(s)`,
    `retired ${report.retiredKeks} key-encryption key(s) and ${report.retiredDataKeys} data key(s)`,
    `destroyed ${report.destroyedKeks + report.destroyedDataKeys} expired key version(s)`,
    `in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join(', ');
}

export async function rotateKeysCommand(opts: RotateKeysCommandOptions, out: (line: string) => void = console.log): Promise<number> {
  const [{ loadConfig }, { openDatabase }, { unmigratedReason }, { auditKeyEvents }, { createKmsFromConfig }, { DEFAULT_KEY_TTL_MS }, { createFieldCrypto }, { rotateKeys }] =
    await Promise.all([
      import('../config.js'),
      import('../db/database.js'),
      import('../db/migrate.js'),
      import('./audit-key-events.js'),
      import('./create-kms.js'),
      import('./data-keys.js'),
      import('./field-crypto.js'),
      import('./rotation.js'),
    ]);
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const unmigrated = await unmigratedReason(db.owner);
    if (unmigrated) {
      console.error(`mowt: ${unmigrated}`);
      return 1;
    }
    const kms = createKmsFromConfig(config);
    out(`key-encryption keys: ${kms.kind === 'aws-kms' ? `AWS KMS (${config.kmsKeyId})` : 'local keyring'}`);
    const crypto = await createFieldCrypto({ db, kms, onEvent: auditKeyEvents(db) });
    const report = await rotateKeys({
      crypto,
      force: opts.force,
      batchSize: opts.batchSize,
      graceMs: opts.graceSeconds === undefined ? DEFAULT_KEY_TTL_MS + 5_000 : opts.graceSeconds * 1000,
      onProgress: (p) => out(p.message),
    });
    out(report.started.length === 0 && !opts.force ? `nothing was due; ${summarise(report)}` : summarise(report));
    return 0;
  } finally {
    await db.close();
  }
}

export function registerRotateKeysCommand(program: Command): void {
  program
    .command('rotate-keys')
    .description('rotate encryption keys that are 90 days old, re-wrap data keys, re-encrypt old values, destroy keys past retention')
    .option('--force', 'rotate every key now, whatever its age')
    .option('--batch-size <rows>', 'rows per transaction (default 500)', positiveInt('--batch-size'))
    .option('--grace-seconds <s>', 'wait before re-encrypting, so running servers switch to the new key (default 65)', positiveInt('--grace-seconds'))
    .action(async (opts: RotateKeysCommandOptions) => {
      process.exitCode = await rotateKeysCommand(opts);
    });
}
