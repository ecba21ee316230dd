// Per-stage settings. Everything has an offline default so `npm run synth` works without an AWS account;
// real deployments pass their own values as CDK context (`-c mowt:production:account=…`, see docs/operations.md).
export type StageName = 'staging' | 'production';

export const PRIMARY_REGION = 'eu-west-2';
export const DR_REGION = 'eu-west-1';

export interface StageConfig {
  stage: StageName;
  /** Staging and production live in separate AWS accounts: separate keys, data, trails and IAM. */
  account: string;
  primaryRegion: string;
  drRegion: string;
  /** Explicit AZs, so synthesis needs no lookup (and the VPC really spans three). */
  primaryAzs: string[];
  drAzs: string[];
  domainName: string;
  hostedZoneId: string;
  hostedZoneName: string;
  imageTag: string;
  oncallEmail?: string;
  shieldAdvanced: boolean;
  /** Deploys the app tier in the DR region too (set during a regional failover, see infra/scripts/failover.sh). */
  drActive: boolean;
  natGateways: number;
  dbInstanceClass: string;
  cacheNodeType: string;
  web: { cpu: number; memoryMiB: number; min: number; max: number };
  worker: { cpu: number; memoryMiB: number; min: number; max: number };
  /** Requests per 5 minutes per client IP before the WAF blocks it. */
  wafRateLimit: number;
}

export interface ContextReader {
  tryGetContext(key: string): unknown;
}

const DEFAULTS: Record<StageName, Omit<StageConfig, 'stage' | 'primaryRegion' | 'drRegion' | 'primaryAzs' | 'drAzs' | 'shieldAdvanced' | 'drActive' | 'imageTag' | 'oncallEmail'>> = {
  staging: {
    account: '111111111111',
    domainName: 'staging.mowt.example',
    hostedZoneId: 'Z0STAGINGZONE000001',
    hostedZoneName: 'staging.mowt.example',
    natGateways: 1,
    dbInstanceClass: 'db.r6g.large',
    cacheNodeType: 'cache.t4g.small',
    web: { cpu: 512, memoryMiB: 1024, min: 2, max: 4 },
    worker: { cpu: 512, memoryMiB: 1024, min: 1, max: 2 },
    wafRateLimit: 2000,
  },
  production: {
    account: '222222222222',
    domainName: 'app.mowt.example',
    hostedZoneId: 'Z0PRODUCTIONZONE001',
    hostedZoneName: 'mowt.example',
    natGateways: 3,
    dbInstanceClass: 'db.r6g.xlarge',
    cacheNodeType: 'cache.r7g.large',
    web: { cpu: 1024, memoryMiB: 2048, min: 3, max: 12 },
    worker: { cpu: 1024, memoryMiB: 2048, min: 2, max: 6 },
    wafRateLimit: 2000,
  },
};

function str(ctx: ContextReader, key: string): string | undefined {
  const v = ctx.tryGetContext(key);
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function flag(ctx: ContextReader, key: string): boolean | undefined {
  const v = str(ctx, key);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`context ${key} must be true or false, got ${v}`);
}

/** Reads `mowt:<stage>:<name>` first, then `mowt:<name>`, then the default. */
export function stageConfig(stage: StageName, ctx: ContextReader): StageConfig {
  const d = DEFAULTS[stage];
  const get = (name: string) => str(ctx, `mowt:${stage}:${name}`) ?? str(ctx, `mowt:${name}`);
  const getFlag = (name: string) => flag(ctx, `mowt:${stage}:${name}`) ?? flag(ctx, `mowt:${name}`);
  const account = get('account') ?? d.account;
  if (!/^\d{12}$/.test(account)) throw new Error(`mowt:${stage}:account must be a 12-digit AWS account id, got ${account}`);
  return {
    ...d,
    stage,
    account,
    primaryRegion: PRIMARY_REGION,
    drRegion: DR_REGION,
    primaryAzs: ['a', 'b', 'c'].map((z) => `${PRIMARY_REGION}${z}`),
    drAzs: ['a', 'b', 'c'].map((z) => `${DR_REGION}${z}`),
    domainName: get('domainName') ?? d.domainName,
    hostedZoneId: get('hostedZoneId') ?? d.hostedZoneId,
    hostedZoneName: get('hostedZoneName') ?? d.hostedZoneName,
    imageTag: get('imageTag') ?? 'main',
    oncallEmail: get('oncallEmail'),
    shieldAdvanced: getFlag('shieldAdvanced') ?? false,
    drActive: getFlag('drActive') ?? false,
  };
}

/** Names shared by the primary and DR stacks of one stage (deterministic, so neither needs the other's outputs). */
export function names(c: StageConfig) {
  const p = `mowt-${c.stage}`;
  return {
    prefix: p,
    globalCluster: `${p}-global`,
    primaryCluster: `${p}-primary`,
    secondaryCluster: `${p}-secondary`,
    drVault: `${p}-dr-vault`,
    ecrRepository: `${p}-app`,
    dataKeyAlias: `alias/${p}-data`,
    appKeyAlias: `alias/${p}-app`,
    drVaultArn: `arn:aws:backup:${c.drRegion}:${c.account}:backup-vault:${p}-dr-vault`,
  };
}
