// `mowt verify-audit [--org ID]`: recomputes every audit chain (or one organisation's) and names the first
// broken entry of each broken chain. Exit 0 when intact, 1 when any chain is broken.
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { openDatabase } from '../db/database.js';
import { SYSTEM_CHAIN_ID } from './chain.js';
import { verifyAudit } from './verify-audit.js';

export async function runVerifyAudit(config: Config, opts: { org?: string }, out: { stdout: Writable; stderr: Writable }): Promise<number> {
  if (opts.org !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.org)) {
    out.stderr.write('mowt: --org must be an organisation id (uuid)\n');
    return 1;
  }
  const db = await openDatabase(config.database);
  try {
    const report = await verifyAudit(db, { orgId: opts.org });
    for (const b of report.broken) {
      const chain = b.chainId === SYSTEM_CHAIN_ID ? 'system chain' : `organisation ${b.chainId}`;
      const entry = b.entryId ? `entry ${b.seq} (id ${b.entryId})` : `after entry ${b.seq - 1}`;
      out.stderr.write(`BROKEN ${chain}: ${entry}: ${b.reason}\n`);
    }
    const summary = `checked ${report.chains} chain(s), ${report.entries} intact entr${report.entries === 1 ? 'y' : 'ies'}`;
    if (report.broken.length > 0) {
      out.stdout.write(`${summary}; ${report.broken.length} chain(s) BROKEN\n`);
      return 1;
    }
    out.stdout.write(`${summary}; audit log intact\n`);
    return 0;
  } finally {
    await db.close();
  }
}

export function registerVerifyAuditCommand(program: Command, deps: { loadConfig: () => Config; out: { stdout: Writable; stderr: Writable } }): void {
  program
    .command('verify-audit')
    .description('check the hash chains of the audit log; names the first broken entry (exit 1)')
    .option('--org <id>', 'only this organisation’s chain')
    .action(async (opts: { org?: string }) => {
      process.exitCode = await runVerifyAudit(deps.loadConfig(), opts, deps.out);
    });
}
