// Picks the key-encryption-key holder from configuration: AWS KMS when KMS_KEY_ID is set (required in
// production), else the local keyring in <MOWT_DATA_DIR>/keys, sealed by MOWT_MASTER_KEY when given.
import path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../config.js';
import { createAwsKms } from './aws-kms.js';
import { createKeyring, parseMasterKey } from './keyring.js';
import type { Kms } from './kms.js';

export type KmsConfig = Pick<Config, 'dataDir' | 'kmsKeyId' | 'masterKey'> & Partial<Pick<Config, 'kmsReplicaRegions' | 'kmsPrincipals'>> & { backup?: Pick<Config['backup'], 'primaryRegion'> };

export function keyringDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

/**
 * Credentials for AWS come from the standard AWS environment (role credentials). Calls go to this deployment's
 * region (MOWT_PRIMARY_REGION, the region the process runs in); organisation keys are replicated to
 * KMS_REPLICA_REGIONS.
 */
export function createKmsFromConfig(config: KmsConfig, opts: { awsClient?: KMSClient } = {}): Kms {
  if (config.kmsKeyId) {
    const region = config.backup?.primaryRegion;
    return createAwsKms({
      client: opts.awsClient ?? new KMSClient(region ? { region } : {}),
      systemKeyId: config.kmsKeyId,
      region,
      replicaRegions: config.kmsReplicaRegions ?? [],
      principals: config.kmsPrincipals,
    });
  }
  return createKeyring({
    dir: keyringDir(config.dataDir),
    masterKey: config.masterKey ? parseMasterKey(config.masterKey) : undefined,
  });
}
