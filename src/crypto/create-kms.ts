// Picks the key-encryption-key holder from configuration: AWS KMS when KMS_KEY_ID is set (required in
// production), else the local keyring in <MOWT_DATA_DIR>/keys, sealed by MOWT_MASTER_KEY when given.
import path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../config.js';
import { createAwsKms } from './aws-kms.js';
import { createKeyring, parseMasterKey } from './keyring.js';
import type { Kms } from './kms.js';

export type KmsConfig = Pick<Config, 'dataDir' | 'kmsKeyId' | 'masterKey'>;

export function keyringDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

/** Region and credentials for AWS come from the standard AWS environment (AWS_REGION, role credentials). */
export function createKmsFromConfig(config: KmsConfig, opts: { awsClient?: KMSClient } = {}): Kms {
  if (config.kmsKeyId) {
    return createAwsKms({ client: opts.awsClient ?? new KMSClient({}), systemKeyId: config.kmsKeyId });
  }
  return createKeyring({
    dir: keyringDir(config.dataDir),
    masterKey: config.masterKey ? parseMasterKey(config.masterKey) : undefined,
  });
}
