// Builds both stages into one CDK app: each has its own account, keys, names and data, and two stacks
// (primary eu-west-2, disaster recovery eu-west-1). Nothing is shared between staging and production.
import type { App } from 'aws-cdk-lib';
import { stageConfig, type StageName } from './config.js';
import { DrStack } from './dr-stack.js';
import { PrimaryStack } from './primary-stack.js';

export const STAGES: StageName[] = ['staging', 'production'];

export interface BuiltStage {
  primary: PrimaryStack;
  dr: DrStack;
}

export function buildStage(app: App, stage: StageName): BuiltStage {
  const config = stageConfig(stage, app.node);
  const title = stage === 'staging' ? 'Staging' : 'Production';
  const primary = new PrimaryStack(app, `Mowt${title}Primary`, {
    stackName: `mowt-${stage}-primary`,
    env: { account: config.account, region: config.primaryRegion },
    config,
    terminationProtection: stage === 'production',
    crossRegionReferences: true,
    description: `Mowt ${stage}: primary region ${config.primaryRegion}`,
  });
  const dr = new DrStack(app, `Mowt${title}Dr`, {
    stackName: `mowt-${stage}-dr`,
    env: { account: config.account, region: config.drRegion },
    config,
    primaryAppKeyArn: primary.appKey.keyArn,
    terminationProtection: stage === 'production',
    crossRegionReferences: true,
    description: `Mowt ${stage}: disaster-recovery region ${config.drRegion}`,
  });
  // The secondary cluster joins the global database the primary stack creates.
  dr.addStackDependency(primary);
  return { primary, dr };
}

export function buildApp(app: App, stages: StageName[] = STAGES): Record<StageName, BuiltStage | undefined> {
  const built: Record<StageName, BuiltStage | undefined> = { staging: undefined, production: undefined };
  for (const s of stages) built[s] = buildStage(app, s);
  return built;
}
