// The local-folder backup destination (default <MOWT_DATA_DIR>/backups): folder 0700, files 0600, each file
// written under a temporary name and renamed when complete, so a crash never leaves a backup that looks
// whole. Copy the folder off the machine (or point it at mounted off-site storage): a backup on the same
// disk as the database protects against mistakes, not against losing the disk.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BACKUP_ID, FILE_SUFFIX, MANIFEST_SUFFIX, fileNameOf, manifestNameOf, type BackupStore, type StoredBackup } from './backup-store.js';
import { parseManifest, type BackupManifest } from './manifest.js';

export function createLocalStore(dir: string): BackupStore {
  const root = path.resolve(dir);
  const ensure = () => fsp.mkdir(root, { recursive: true, mode: 0o700 });
  const inside = (name: string) => {
    if (name !== path.basename(name) || !name.endsWith(FILE_SUFFIX) || !BACKUP_ID.test(name.slice(0, -FILE_SUFFIX.length))) {
      throw new TypeError(`invalid backup file name ${JSON.stringify(name)}`);
    }
    return path.join(root, name);
  };

  async function writeAtomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = `${target}.partial-${process.pid}`;
    try {
      await write(tmp);
      await fsp.chmod(tmp, 0o600);
      await fsp.rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    description: `local folder ${root}`,
    region: 'local',

    async putFile(name, content: Readable) {
      await ensure();
      const target = inside(name);
      await writeAtomically(target, (tmp) => pipeline(content, fs.createWriteStream(tmp, { mode: 0o600, flags: 'wx' })));
      return { location: target };
    },

    async putManifest(manifest: BackupManifest) {
      await ensure();
      const target = path.join(root, manifestNameOf(manifest.backupId));
      await writeAtomically(target, (tmp) => fsp.writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' }));
      return { location: target };
    },

    async list(): Promise<StoredBackup[]> {
      let names: string[];
      try {
        names = await fsp.readdir(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: StoredBackup[] = [];
      for (const name of names.filter((n) => n.endsWith(MANIFEST_SUFFIX))) {
        const location = path.join(root, name);
        try {
          const manifest = parseManifest(await fsp.readFile(location, 'utf8'));
          if (manifestNameOf(manifest.backupId) !== name) continue; // renamed or copied by hand: not ours to trust
          out.push({ manifest, location });
        } catch {
          // An unreadable manifest is skipped here (and so never chosen for restore); `backups list` shows
          // only backups that can be restored.
        }
      }
      return out.sort((a, b) => Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt));
    },

    openFile(name) {
      return fs.createReadStream(inside(name), { highWaterMark: 1024 * 1024 });
    },

    async delete(backupId) {
      await fsp.rm(path.join(root, manifestNameOf(backupId)), { force: true });
      await fsp.rm(path.join(root, fileNameOf(backupId)), { force: true });
    },
  };
}
