// failover.sh against a fake `aws` (AWS is the one thing these tests may mock): the right documented
// commands in the right order, for both modes, and the refusals.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.join(import.meta.dirname, 'failover.sh');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const PRIMARY = 'arn:aws:rds:eu-west-2:222222222222:cluster:mowt-production-primary';
const TARGET = 'arn:aws:rds:eu-west-1:222222222222:cluster:mowt-production-secondary';

/** A fake aws CLI: logs each call, answers describe-global-clusters from a state file the promotion flips. */
function fakeTools(opts: { primaryReachable: boolean }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-failover-'));
  dirs.push(dir);
  const log = path.join(dir, 'calls.log');
  const state = path.join(dir, 'writer');
  fs.writeFileSync(state, PRIMARY);
  const aws = path.join(dir, 'aws');
  fs.writeFileSync(aws, `#!/usr/bin/env bash
echo "aws $*" >> ${log}
case "$1 $2" in
  "sts get-caller-identity") echo 222222222222 ;;
  "rds describe-global-clusters") cat ${state}; echo ;;
  "rds switchover-global-cluster"|"rds failover-global-cluster") echo -n "${TARGET}" > ${state}.next; echo '{}' ;;
  "rds wait") ;;
  "application-autoscaling register-scalable-target"|"ecs update-service")
    if [[ "$*" == *eu-west-2* && ${opts.primaryReachable} == false ]]; then echo "Could not connect" >&2; exit 255; fi ;;
  *) echo "unexpected: $*" >&2; exit 99 ;;
esac
# The promotion becomes visible on the second look, as a real one takes a while.
if [[ "$2" == describe-global-clusters && -f ${state}.next ]]; then
  if [[ -f ${state}.seen ]]; then mv ${state}.next ${state}; else touch ${state}.seen; fi
fi
`, { mode: 0o755 });
  const cdk = path.join(dir, 'cdk');
  fs.writeFileSync(cdk, `#!/usr/bin/env bash\necho "cdk $*" >> ${log}\n`, { mode: 0o755 });
  const curl = path.join(dir, 'curl');
  fs.writeFileSync(curl, `#!/usr/bin/env bash\necho "curl $*" >> ${log}\n`, { mode: 0o755 });
  return { env: { ...process.env, AWS: aws, CDK: cdk, CURL: curl, FAILOVER_POLL_SECONDS: '0' }, calls: () => fs.readFileSync(log, 'utf8').trim().split('\n') };
}

const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync('bash', [script, ...args], { env, encoding: 'utf8', input: '' });

describe('failover.sh', () => {
  it('planned: stops the primary app tier, switches over without data loss, waits, deploys the DR app tier, checks readiness', () => {
    const tools = fakeTools({ primaryReachable: true });
    const r = run(['production', 'planned', '--yes'], tools.env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const calls = tools.calls();
    const index = (re: RegExp) => calls.findIndex((c) => re.test(c));
    expect(calls[0]).toBe('aws sts get-caller-identity --query Account --output text');
    expect(calls).toContain('aws ecs update-service --region eu-west-2 --cluster mowt-production-eu-west-2 --service web --desired-count 0');
    expect(calls).toContain('aws ecs update-service --region eu-west-2 --cluster mowt-production-eu-west-2 --service worker --desired-count 0');
    const promote = index(/switchover-global-cluster/);
    expect(calls[promote]).toBe(`aws rds switchover-global-cluster --region eu-west-1 --global-cluster-identifier mowt-production-global --target-db-cluster-identifier ${TARGET}`);
    expect(calls.some((c) => c.includes('failover-global-cluster'))).toBe(false);
    // Stopped before promoting; waited for the writer and availability before deploying.
    expect(index(/--service worker --desired-count 0/)).toBeLessThan(promote);
    expect(index(/rds wait db-cluster-available .*mowt-production-secondary/)).toBeGreaterThan(promote);
    const deploy = index(/^cdk deploy MowtProductionDr /);
    expect(calls[deploy]).toContain('-c mowt:production:drActive=true');
    expect(deploy).toBeGreaterThan(index(/rds wait/));
    expect(calls.at(-1)).toMatch(/^curl .*https:\/\/app\.mowt\.example\/readyz$/);
    expect(r.stdout).toMatch(/4\/6 waiting until eu-west-1 is the writer\n\s+writer: arn:aws:rds:eu-west-2/);
    expect(r.stdout).toContain('done: production is served from eu-west-1');
  });

  it('unplanned: carries on when eu-west-2 is unreachable and promotes with --allow-data-loss', () => {
    const tools = fakeTools({ primaryReachable: false });
    const r = run(['production', 'unplanned', '--yes', '--no-deploy'], tools.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('web: eu-west-2 unreachable, continuing');
    const calls = tools.calls();
    expect(calls).toContain(`aws rds failover-global-cluster --region eu-west-1 --global-cluster-identifier mowt-production-global --target-db-cluster-identifier ${TARGET} --allow-data-loss`);
    expect(calls.some((c) => c.startsWith('cdk '))).toBe(false);
  });

  it('planned refuses to promote when the primary region cannot be stopped', () => {
    const tools = fakeTools({ primaryReachable: false });
    const r = run(['production', 'planned', '--yes'], tools.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('a planned switchover needs the primary region reachable');
    expect(tools.calls().some((c) => /switchover|failover-global/.test(c))).toBe(false);
  });

  it('asks for the stage name unless --yes, and rejects bad arguments', () => {
    const tools = fakeTools({ primaryReachable: true });
    const r = run(['production', 'planned'], tools.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not confirmed');
    expect(tools.calls().some((c) => /switchover|failover-global|update-service/.test(c))).toBe(false);
    expect(run(['prod', 'planned'], tools.env).status).toBe(2);
    expect(run(['production', 'sideways'], tools.env).status).toBe(2);
  });
});
