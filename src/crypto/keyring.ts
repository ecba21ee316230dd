// Local keyring: one key file per key-encryption key in <MOWT_DATA_DIR>/keys, mode 0600 in a 0700 folder.
// For development and the embedded default only (production refuses to start without AWS KMS). Each
// organisation's KEKs are their own files, so deleting them crypto-shreds that organisation even in old
// database backups. With MOWT_MASTER_KEY set, every file is itself sealed by the master key, so a copy of
// the key folder alone opens nothing.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { KEY_BYTES, open, seal } from './aes-gcm.js';
import { keyWrapAssociatedData } from './associated-data.js';
import { DecryptionError, KekNotFoundError, KeyringError, KmsInvalidCiphertextError } from './errors.js';
import { KEY_PURPOSES } from './key-purpose.js';
import type { KekIdentity, Kms, WrapContext } from './kms.js';

const FILE_FORMAT = 'mowt-keyring-1';
// A reference doubles as the file name, so it is validated strictly: no path can be smuggled in.
const REF = new RegExp(`^(system|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.(${KEY_PURPOSES.join('|')})\\.v[1-9][0-9]*$`);

export interface KeyringOptions {
  /** The key folder, normally <MOWT_DATA_DIR>/keys. Created 0700 if missing. */
  dir: string;
  /** 32-byte master key (MOWT_MASTER_KEY) sealing every key file; optional in development. */
  masterKey?: Buffer;
}

interface KeyFile {
  format: string;
  protection: 'none' | 'master-key';
  /** base64 of the raw key (protection none) or of nonce ‖ ciphertext ‖ tag (master-key). */
  key: string;
}

/** Decodes MOWT_MASTER_KEY: 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && bytes.toString('base64') !== trimmed)) {
    throw new KeyringError('MOWT_MASTER_KEY must be 32 random bytes, base64 (openssl rand -base64 32) or 64 hex digits');
  }
  return bytes;
}

export function kekRefFor(id: KekIdentity): string {
  return `${id.scope}.${id.purpose}.v${id.version}`;
}

export function createKeyring(opts: KeyringOptions): Kms & { readonly dir: string } {
  const dir = path.resolve(opts.dir);
  const masterKey = opts.masterKey ? createSecretKey(opts.masterKey) : undefined;
  const loaded = new Map<string, KeyObject>();
  let dirReady: Promise<void> | undefined;

  const fileOf = (ref: string) => {
    if (!REF.test(ref)) throw new KeyringError(`invalid keyring reference ${JSON.stringify(ref)}`);
    return path.join(dir, `${ref}.key`);
  };
  const fileAd = (ref: string) => Buffer.from(`${FILE_FORMAT}\0${ref}`, 'utf8');

  function ensureDir(): Promise<void> {
    dirReady ??= (async () => {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const st = await fs.stat(dir);
      if ((st.mode & 0o077) !== 0) await fs.chmod(dir, 0o700);
    })();
    return dirReady;
  }

  async function readKek(ref: string): Promise<KeyObject> {
    const cached = loaded.get(ref);
    if (cached) return cached;
    const file = fileOf(ref);
    let text: string;
    try {
      const st = await fs.stat(file);
      if ((st.mode & 0o077) !== 0) {
        throw new KeyringError(`key file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
      }
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new KekNotFoundError(`key-encryption key ${ref} is not in the keyring at ${dir} (destroyed, or the key folder is incomplete)`);
      }
      throw err;
    }
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(text) as KeyFile;
    } catch {
      throw new KeyringError(`key file ${file} is corrupt`);
    }
    if (parsed.format !== FILE_FORMAT) throw new KeyringError(`key file ${file} has an unknown format`);
    let raw: Buffer;
    if (parsed.protection === 'master-key') {
      if (!masterKey) throw new KeyringError(`key file ${file} is sealed by a master key: set MOWT_MASTER_KEY`);
      try {
        raw = open(masterKey, Buffer.from(parsed.key, 'base64'), fileAd(ref));
      } catch (err) {
        if (err instanceof DecryptionError) throw new KeyringError(`MOWT_MASTER_KEY does not open key file ${file}`);
        throw err;
      }
    } else {
      if (masterKey) {
        throw new KeyringError(`key file ${file} is not sealed by MOWT_MASTER_KEY; the keyring mixes protected and unprotected keys`);
      }
      raw = Buffer.from(parsed.key, 'base64');
    }
    if (raw.length !== KEY_BYTES) throw new KeyringError(`key file ${file} does not hold a 256-bit key`);
    const key = createSecretKey(raw);
    raw.fill(0);
    loaded.set(ref, key);
    return key;
  }

  /** Creates file with content unless it exists; false when another writer got there first. */
  async function createKeyFile(file: string, content: string): Promise<boolean> {
    // Write a temporary file 0600 from the start (no window with wider permissions), fsync, then link it
    // into place: link fails if the name exists, so two processes can never overwrite each other's key.
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    let created = true;
    try {
      await fs.link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      created = false;
    } finally {
      await fs.unlink(tmp);
    }
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return created;
  }

  async function wrapKey(kekRef: string, plaintext: Buffer, ctx: WrapContext): Promise<Buffer> {
    const kek = await readKek(kekRef);
    return seal(kek, plaintext, keyWrapAssociatedData(kekRef, ctx.scope, ctx.purpose));
  }

  return {
    kind: 'keyring',
    dir,

    async createKek(id) {
      await ensureDir();
      const ref = kekRefFor(id);
      const file = fileOf(ref);
      try {
        // A file left by an earlier attempt that crashed before its database row committed is reused:
        // nothing can have been wrapped under it without that row.
        await readKek(ref);
        return ref;
      } catch (err) {
        if (!(err instanceof KekNotFoundError)) throw err;
      }
      const raw = randomBytes(KEY_BYTES);
      const file_: KeyFile = masterKey
        ? { format: FILE_FORMAT, protection: 'master-key', key: seal(masterKey, raw, fileAd(ref)).toString('base64') }
        : { format: FILE_FORMAT, protection: 'none', key: raw.toString('base64') };
      raw.fill(0);
      // Losing a creation race is fine: the winner's file is the key, and nothing was wrapped under ours.
      await createKeyFile(file, `${JSON.stringify(file_)}\n`);
      return ref;
    },

    async generateDataKey(kekRef, ctx) {
      const plaintext = randomBytes(KEY_BYTES);
      return { plaintext, wrapped: await wrapKey(kekRef, plaintext, ctx) };
    },

    wrapKey,

    async unwrapKey(kekRef, wrapped, ctx) {
      const kek = await readKek(kekRef);
      try {
        return open(kek, wrapped, keyWrapAssociatedData(kekRef, ctx.scope, ctx.purpose));
      } catch (err) {
        if (err instanceof DecryptionError) {
          throw new KmsInvalidCiphertextError(`wrapped data key does not open under ${kekRef} for ${ctx.scope}/${ctx.purpose}`);
        }
        throw err;
      }
    },

    async destroyKek(kekRef) {
      const file = fileOf(kekRef);
      loaded.delete(kekRef);
      try {
        // Overwrite before unlinking so the bytes do not linger in free blocks of simple filesystems
        // (copy-on-write filesystems and SSDs may still keep old blocks: production uses AWS KMS).
        const handle = await fs.open(file, 'r+');
        try {
          const { size } = await handle.stat();
          await handle.write(randomBytes(size), 0, size, 0);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
