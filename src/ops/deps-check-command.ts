// `npm run deps:check`: fails (exit 1) on high/critical advisories from `npm audit`, flags direct
// dependencies with no release in two years, and writes a CycloneDX SBOM (sbom.cdx.json). When the registry
// cannot answer the audit, it says so plainly and never reports a pass it did not check (exit 2 with --strict).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { auditError, isStale, latestRelease, severeAdvisories } from './deps-check.js';

const run = promisify(execFile);

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    // npm audit exits non-zero when it finds something; its JSON is still on stdout.
    const out = (err as { stdout?: string }).stdout;
    if (out) return out;
    throw err;
  }
}

export async function depsCheck(opts: { cwd: string; now: Date; skipStale: boolean; strict: boolean; sbomPath: string; log: (line: string) => void }): Promise<number> {
  let code = 0;
  opts.log('1/3 npm audit (high and critical advisories fail the check)…');
  let report: unknown;
  try {
    report = JSON.parse(await npm(['audit', '--json'], opts.cwd));
  } catch (err) {
    report = { error: { summary: (err as Error).message.split('\n')[0] } };
  }
  const unreachable = auditError(report);
  if (unreachable) {
    opts.log(`   advisories NOT CHECKED: the audit endpoint did not answer (${unreachable}). This is not a pass.`);
    if (opts.strict) code = 2;
  } else {
    const severe = severeAdvisories(report);
    if (severe.length === 0) opts.log('   no high or critical advisories');
    for (const a of severe) opts.log(`   ${a.severity.toUpperCase()} ${a.name}: ${a.via.join('; ')}${a.fixAvailable ? ' (fix available)' : ''}`);
    if (severe.length > 0) code = 1;
  }

  const pkg = JSON.parse(fs.readFileSync(path.join(opts.cwd, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort();
  if (opts.skipStale) opts.log('2/3 release staleness skipped (--skip-stale)');
  else {
    opts.log(`2/3 last release of ${names.length} direct dependencies (no release in 2 years is flagged)…`);
    const stale: string[] = [];
    for (const [i, name] of names.entries()) {
      try {
        const time = JSON.parse(await npm(['view', name, 'time', '--json'], opts.cwd)) as Record<string, string>;
        const last = latestRelease(time);
        if (isStale(last, opts.now)) stale.push(`${name} (last release ${last?.toISOString().slice(0, 10) ?? 'unknown'})`);
      } catch (err) {
        opts.log(`   ${name}: registry did not answer (${(err as Error).message.split('\n')[0]}) — NOT CHECKED`);
      }
      if ((i + 1) % 10 === 0) opts.log(`   ${i + 1}/${names.length}`);
    }
    for (const s of stale) opts.log(`   STALE ${s}`);
    if (stale.length === 0) opts.log('   none stale');
  }

  opts.log(`3/3 CycloneDX SBOM → ${opts.sbomPath}`);
  try {
    const sbom = await npm(['sbom', '--sbom-format', 'cyclonedx'], opts.cwd);
    JSON.parse(sbom);
    fs.writeFileSync(opts.sbomPath, sbom);
    opts.log(`   written (${(sbom.length / 1024).toFixed(0)} KiB)`);
  } catch (err) {
    opts.log(`   SBOM failed: ${(err as Error).message.split('\n')[0]}`);
    code = code || 1;
  }
  opts.log(code === 0 ? 'deps:check passed' : `deps:check failed (exit ${code})`);
  return code;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('ops', 'deps-check-command.ts'));
if (isMain) {
  const args = new Set(process.argv.slice(2));
  const cwd = process.cwd();
  depsCheck({ cwd, now: new Date(), skipStale: args.has('--skip-stale'), strict: args.has('--strict'), sbomPath: path.join(cwd, 'sbom.cdx.json'), log: (l) => console.log(l) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`deps:check could not run: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
