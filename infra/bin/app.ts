// `npm run synth`: synthesises every stage into infra/cdk.out offline (no AWS account or network needed) and
// prints the stacks. Context as with the cdk CLI: `npm run synth -- -c mowt:production:account=123456789012`.
// Deploy the result with the CDK CLI: `npx aws-cdk@2 deploy --app infra/cdk.out <stack>` (docs/operations.md).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp, STAGES } from '../lib/stages.js';
import type { StageName } from '../lib/config.js';

// The cdk CLI (`--app`) tells the app where to write through CDK_OUTDIR; on its own it writes infra/cdk.out.
const outdir = process.env.CDK_OUTDIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cdk.out');

function parseArgs(argv: string[]): { context: Record<string, string>; stages: StageName[] } {
  const context: Record<string, string> = {};
  let stages = STAGES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-c' || arg === '--context') {
      const kv = argv[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq < 1) throw new Error(`context must be key=value, got ${kv}`);
      context[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (arg === '--stage') {
      const s = argv[++i];
      if (s !== 'staging' && s !== 'production') throw new Error(`--stage must be staging or production, got ${s}`);
      stages = [s];
    } else {
      throw new Error(`unknown argument ${arg} (use -c key=value or --stage staging|production)`);
    }
  }
  return { context, stages };
}

try {
  const { context, stages } = parseArgs(process.argv.slice(2));
  const app = new App({ outdir, context });
  buildApp(app, stages);
  const assembly = app.synth();
  for (const stack of assembly.stacks) {
    const resources = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
    console.log(`${stack.stackName.padEnd(24)} ${stack.environment.account}/${stack.environment.region}  ${resources} resources`);
  }
  console.log(`synthesised ${assembly.stacks.length} stacks into ${path.relative(process.cwd(), outdir) || outdir}`);
} catch (err) {
  console.error(`synth: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
