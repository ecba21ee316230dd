// No Docker engine on this machine: the Dockerfile's instructions are parsed and checked statically.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.js';

interface Instruction { keyword: string; args: string; line: number }
interface BuildStage { from: string; name?: string; instructions: Instruction[] }

/** Splits a Dockerfile into instructions (joining `\` continuations, dropping comments) and stages. */
export function parseDockerfile(text: string): { args: Instruction[]; stages: BuildStage[] } {
  const instructions: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!buffer && (/^\s*#/.test(line) || !line.trim())) return;
    if (!buffer) start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(buffer)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim(), line: start });
    buffer = '';
  });
  const args: Instruction[] = [];
  const stages: BuildStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else if (stages.length === 0) args.push(ins);
    else stages.at(-1)!.instructions.push(ins);
  }
  return { args, stages };
}

const dockerfile = fs.readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const { args, stages } = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const build = stages[0]!;
const of = (s: BuildStage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);
/** ENV lines as name → value (both `ENV A=1 B=2` and `ENV A 1`). */
function envOf(s: BuildStage): Map<string, string> {
  const env = new Map<string, string>();
  for (const i of of(s, 'ENV')) {
    const pairs = [...i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)];
    if (pairs.length) for (const p of pairs) env.set(p[1]!, p[2]!.replace(/^"|"$/g, ''));
    else env.set(i.args.split(' ')[0]!, i.args.split(' ').slice(1).join(' '));
  }
  return env;
}

describe('Dockerfile', () => {
  it('is multi-stage: a build stage that installs everything and builds, and a separate runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBe('build');
    expect(runtime.name).toBe('runtime');
    const buildRuns = of(build, 'RUN').map((r) => r.args);
    expect(buildRuns).toContain('npm ci --no-audit --no-fund');
    expect(buildRuns).toContain('npm run build');
    // Both stages come from the same pinned-major Node image (Node 20, as package.json's engines).
    const image = args.find((a) => a.keyword === 'ARG' && a.args.startsWith('NODE_IMAGE='))!.args;
    expect(image).toMatch(/^NODE_IMAGE=node:20[-.]/);
  });

  it('installs only production dependencies in the runtime stage and copies only build output from the build stage', () => {
    const runs = of(runtime, 'RUN').map((r) => r.args).join(' && ');
    expect(runs).toMatch(/npm ci --omit=dev/);
    expect(runs).not.toMatch(/npm (install|i) /);
    expect(runs.replace(/npm ci --omit=dev/g, '')).not.toMatch(/npm ci/);
    const fromBuild = of(runtime, 'COPY').filter((c) => c.args.includes('--from=')).map((c) => c.args.split(' ').slice(-2)[0]);
    expect(fromBuild.sort()).toEqual(['/src/dist', '/src/web/dist']);
    // node_modules never comes over from the build stage (it holds the dev dependencies).
    expect(of(runtime, 'COPY').some((c) => /node_modules/.test(c.args))).toBe(false);
  });

  it('runs as a fixed non-root user that owns none of the code', () => {
    const users = of(runtime, 'USER');
    expect(users.length).toBeGreaterThanOrEqual(1);
    const user = users.at(-1)!.args;
    expect(user).toBe('10001:10001');
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // USER comes after every RUN (nothing after it runs as root) and no COPY hands files to the user.
    const lastRun = Math.max(...of(runtime, 'RUN').map((r) => r.line));
    expect(users.at(-1)!.line).toBeGreaterThan(lastRun);
    expect(of(runtime, 'COPY').some((c) => c.args.includes('--chown'))).toBe(false);
    // The ECS task definition runs the same user (infra/lib/app-tier.ts).
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'infra/lib/app-tier.ts'), 'utf8')).toContain(`CONTAINER_USER = '${user}'`);
  });

  it('checks /healthz over HTTPS with a script shipped in the image', () => {
    const [hc] = of(runtime, 'HEALTHCHECK');
    expect(hc).toBeDefined();
    expect(hc!.args).toMatch(/CMD \["node", "\/app\/infra\/image\/healthcheck\.mjs"\]/);
    expect(of(runtime, 'COPY').map((c) => c.args)).toContain('infra/image ./infra/image');
    const script = fs.readFileSync(path.join(PROJECT_ROOT, 'infra/image/healthcheck.mjs'), 'utf8');
    expect(script).toContain("path: '/healthz'");
    expect(script).toContain('https.get');
  });

  it('bakes in no secrets: no secret-looking ENV or ARG, no .env, data or key files copied', () => {
    const env = envOf(runtime);
    expect([...env.keys()].sort()).toEqual(['HTTP_PORT', 'MOWT_DATA_DIR', 'NODE_ENV', 'NODE_OPTIONS', 'PORT']);
    const allArgsAndEnv = [...stages.flatMap((s) => [...of(s, 'ENV'), ...of(s, 'ARG')]), ...args].map((i) => i.args);
    for (const a of allArgsAndEnv) expect(a).not.toMatch(/PASSWORD|SECRET|TOKEN|PRIVATE|DATABASE_URL|REDIS_URL|SMTP_URL|MASTER_KEY|KMS_KEY/i);
    const copies = stages.flatMap((s) => [...of(s, 'COPY'), ...of(s, 'ADD')]).map((c) => c.args);
    for (const c of copies) {
      expect(c).not.toMatch(/(^|\s|\/)(\.env|data|keys?)(\/|\s|$)/);
      expect(c).not.toMatch(/^\.\s|\s\.\s/); // never the whole context
    }
    // The only download is Amazon's public RDS CA bundle, over HTTPS.
    const adds = stages.flatMap((s) => of(s, 'ADD')).map((a) => a.args);
    expect(adds).toEqual(['--chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem']);
  });

  it('writes only under /tmp: the data folder is there and no other volume is declared', () => {
    expect(envOf(runtime).get('MOWT_DATA_DIR')).toMatch(/^\/tmp\//);
    expect(of(runtime, 'VOLUME')).toEqual([]);
    expect(of(runtime, 'WORKDIR').map((w) => w.args)).toEqual(['/app']);
    // The app user's home is /tmp and its code directory stays root-owned (checked above), so with ECS's
    // read-only root filesystem nothing else is writable.
    expect(of(runtime, 'RUN').map((r) => r.args).join(' ')).toMatch(/useradd .*--home-dir \/tmp/);
  });

  it('starts through the entrypoint that turns injected secrets into configuration', () => {
    expect(of(runtime, 'ENTRYPOINT').map((e) => e.args)).toEqual(['["node", "/app/infra/image/entrypoint.mjs"]']);
    expect(of(runtime, 'CMD').map((e) => e.args)).toEqual(['["start"]']);
    expect(of(runtime, 'EXPOSE').map((e) => e.args)).toEqual(['8443']);
  });

  it('.dockerignore keeps local data, environment files, keys and builds out of the context', () => {
    const ignored = fs.readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', 'data', 'node_modules', 'dist', '.git', '**/*.pem', '**/*.key', 'infra/cdk.out']));
  });
});

describe('parseDockerfile', () => {
  it('joins continuation lines, skips comments and splits stages', () => {
    const parsed = parseDockerfile('ARG X=1\n# c\nFROM a AS one\nRUN a \\\n  && b\nFROM b\nUSER 1\n');
    expect(parsed.args).toEqual([{ keyword: 'ARG', args: 'X=1', line: 1 }]);
    expect(parsed.stages.map((s) => [s.from, s.name, s.instructions.map((i) => i.args)])).toEqual([['a', 'one', ['a && b']], ['b', undefined, ['1']]]);
  });
});
