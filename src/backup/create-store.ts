// The configured backup destination: the S3 bucket when MOWT_BACKUP_S3_BUCKET is set, otherwise the local
// folder (MOWT_BACKUP_DIR, the embedded default). Commands and scheduled jobs all go through here.
import type { Config } from '../config.js';
import type { BackupStore } from './backup-store.js';
import { createLocalStore } from './local-store.js';
import { createS3Store } from './s3-store.js';

export function createBackupStore(config: Pick<Config, 'backup'>): BackupStore {
  const s3 = config.backup.s3;
  return s3 ? createS3Store({ bucket: s3.bucket, region: s3.region, prefix: s3.prefix, endpoint: s3.endpoint }) : createLocalStore(config.backup.dir);
}
