// Where backups go. One small interface so a destination is a plug: the local folder (local-store.ts) is
// the embedded default; an S3 bucket in another region implements the same five operations (it needs
// @aws-sdk/client-s3, which this project does not install yet).
import type { Readable } from 'node:stream';
import type { BackupManifest } from './manifest.js';

export interface StoredBackup {
  manifest: BackupManifest;
  /** Where the manifest was read from (for messages). */
  location: string;
}

export interface BackupStore {
  /** Human-readable destination, e.g. "local folder /srv/mowt/backups". */
  readonly description: string;
  /** The AWS region holding the copies, or 'local' for a folder on this machine. */
  readonly region: string;
  /** Stores the encrypted file under `name`; visible only once complete (no half-written backups). */
  putFile(name: string, content: Readable): Promise<{ location: string }>;
  /** Stores the manifest; written after the file, so a listed manifest always has its file. */
  putManifest(manifest: BackupManifest): Promise<{ location: string }>;
  /** Every backup with a readable manifest, newest first. */
  list(): Promise<StoredBackup[]>;
  openFile(name: string): Readable;
  /** Deletes a backup (manifest first, then file): a listed backup never lacks its file. */
  delete(backupId: string): Promise<void>;
}

export const FILE_SUFFIX = '.mowtbak';
export const MANIFEST_SUFFIX = '.manifest.json';

/** Backup ids become file names: letters, digits, dash and underscore only. */
export const BACKUP_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function fileNameOf(backupId: string): string {
  if (!BACKUP_ID.test(backupId)) throw new TypeError(`invalid backup id ${JSON.stringify(backupId)}`);
  return `${backupId}${FILE_SUFFIX}`;
}

export function manifestNameOf(backupId: string): string {
  if (!BACKUP_ID.test(backupId)) throw new TypeError(`invalid backup id ${JSON.stringify(backupId)}`);
  return `${backupId}${MANIFEST_SUFFIX}`;
}
