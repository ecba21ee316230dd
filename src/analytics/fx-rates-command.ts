// `mowt fx-rates import --org ID FILE.csv`: the operator's way to import an organisation's exchange-rate file
// (the same checks, storage and audit as PUT /api/orgs/:orgId/analytics/fx-rates), followed by the full
// recompute in this process. Problems are printed with their line numbers and nothing is stored; exit 1.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config.js';

export interface FxRatesImportOptions {
  org: string;
  file: string;
}

export async function fxRatesImportCommand(
  opts: FxRatesImportOptions, io: { out?: (line: string) => void; err?: (line: string) => void; config?: () => Config } = {},
): Promise<number> {
  const out = io.out ?? console.log;
  const err = io.err ?? console.error;
  const [{ loadConfig }, { openDatabase }, { unmigratedReason }, cryptoModule, { withOrg }, { appendAudit }, { parseFxCsv }, store, settingsModule, { fullRecompute }] = await Promise.all([
    import('../config.js'), import('../db/database.js'), import('../db/migrate.js'), import('../crypto/index.js'), import('../db/tenant.js'), import('../audit/index.js'),
    import('./fx-import.js'), import('./fx-import-store.js'), import('./settings.js'), import('./materialise.js'),
  ]);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.org)) {
    err('mowt: --org must be an organisation id (uuid)');
    return 1;
  }
  let text: string;
  try {
    text = fs.readFileSync(opts.file, 'utf8');
  } catch (e) {
    err(`mowt: cannot read ${opts.file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const config = io.config ? io.config() : loadConfig();
  const db = await openDatabase(config.database);
  try {
    const unmigrated = await unmigratedReason(db.owner);
    if (unmigrated) {
      err(`mowt: ${unmigrated}`);
      return 1;
    }
    const now = new Date();
    const outcome = await withOrg(db, opts.org, async (tx) => {
      const org = await tx.selectFrom('organisations').select('id').where('id', '=', opts.org).executeTakeFirst();
      if (!org) return { kind: 'no-org' as const };
      const settings = await settingsModule.readSettings(tx, opts.org);
      const checked = parseFxCsv(text, settings.reportingCurrency);
      if (checked.problems.length > 0) return { kind: 'problems' as const, checked };
      await store.replaceFxImport(tx, opts.org, checked.rates, settings.reportingCurrency);
      await settingsModule.markFxImported(tx, opts.org, null, now);
      const summary = await store.summariseFxImport(tx, opts.org);
      await appendAudit(tx, {
        orgId: opts.org, actor: { type: 'system', id: 'operator' }, action: 'metrics.fx_rates_imported', target: { type: 'organisation', id: opts.org },
        metadata: { rates: summary.total, quoteCurrency: settings.reportingCurrency, currencies: summary.currencies.map((c) => `${c.currency} ${c.from}..${c.to} (${c.days})`).join(', '), source: settings.fxSource, via: 'cli' },
        at: now,
      });
      return { kind: 'imported' as const, summary, quote: settings.reportingCurrency, source: settings.fxSource };
    });
    if (outcome.kind === 'no-org') {
      err(`mowt: no organisation ${opts.org}`);
      return 1;
    }
    if (outcome.kind === 'problems') {
      for (const p of outcome.checked.problems) err(`${opts.file}:${p.line}: ${p.message}`);
      err(`mowt: ${outcome.checked.problems.length}${outcome.checked.truncated ? '+' : ''} problem(s); nothing was imported`);
      return 1;
    }
    out(`imported ${outcome.summary.total} rates in ${outcome.quote} (source setting: ${outcome.source}):`);
    for (const c of outcome.summary.currencies) out(`  ${c.currency}: ${c.days} days, ${c.from} to ${c.to}`);
    const crypto = await cryptoModule.createFieldCrypto({ db, kms: cryptoModule.createKmsFromConfig(config), onEvent: cryptoModule.auditKeyEvents(db) });
    const result = await fullRecompute({ db, crypto, clock: () => new Date() }, opts.org);
    out(`recomputed ${result.customers} customers over ${result.days} days (version ${result.version})${result.warnings.length ? `; warnings: ${result.warnings.join('; ')}` : ''}`);
    return 0;
  } finally {
    await db.close();
  }
}

export function registerFxRatesCommand(program: Command): void {
  program
    .command('fx-rates')
    .description("an organisation's imported exchange rates (docs/metrics.md, \"Imported exchange rates\")")
    .command('import')
    .description('import a CSV of daily rates (date,currency,rate) for an organisation, replacing its previous file, then recompute its metrics')
    .requiredOption('--org <id>', 'organisation id')
    .argument('<file>', 'the CSV file')
    .action(async (file: string, opts: { org: string }) => {
      process.exitCode = await fxRatesImportCommand({ org: opts.org, file });
    });
}
