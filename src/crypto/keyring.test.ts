import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KekNotFoundError, KeyringError, KmsInvalidCiphertextError } from './errors.js';
import { createKeyring, parseMasterKey } from './keyring.js';

const org = crypto.randomUUID();
const ctx = { scope: org, purpose: 'data' as const };
let root: string;
let dir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-keyring-'));
  dir = path.join(root, 'keys');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('local keyring', () => {
  it('creates the key folder 0700 and key files 0600 on first use', async () => {
    const kr = createKeyring({ dir });
    const ref = await kr.createKek({ ...ctx, version: 1 });
    expect(ref).toBe(`${org}.data.v1`);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dir);
    expect(files).toEqual([`${org}.data.v1.key`]);
    expect(fs.statSync(path.join(dir, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('wraps and unwraps data keys bound to scope and purpose', async () => {
    const kr = createKeyring({ dir });
    const ref = await kr.createKek({ ...ctx, version: 1 });
    const { plaintext, wrapped } = await kr.generateDataKey(ref, ctx);
    expect(plaintext).toHaveLength(32);
    expect(wrapped.includes(plaintext)).toBe(false);
    expect(await kr.unwrapKey(ref, wrapped, ctx)).toEqual(plaintext);
    await expect(kr.unwrapKey(ref, wrapped, { ...ctx, purpose: 'stripe' })).rejects.toBeInstanceOf(KmsInvalidCiphertextError);
    await expect(kr.unwrapKey(ref, wrapped, { ...ctx, scope: crypto.randomUUID() })).rejects.toBeInstanceOf(KmsInvalidCiphertextError);
  });

  it('is idempotent per version and never overwrites an existing key', async () => {
    const kr = createKeyring({ dir });
    const ref = await kr.createKek({ ...ctx, version: 1 });
    const { plaintext, wrapped } = await kr.generateDataKey(ref, ctx);
    await Promise.all([createKeyring({ dir }).createKek({ ...ctx, version: 1 }), kr.createKek({ ...ctx, version: 1 })]);
    expect(await createKeyring({ dir }).unwrapKey(ref, wrapped, ctx)).toEqual(plaintext);
  });

  it('refuses key files readable by others', async () => {
    const ref = await createKeyring({ dir }).createKek({ ...ctx, version: 1 });
    fs.chmodSync(path.join(dir, `${ref}.key`), 0o644);
    await expect(createKeyring({ dir }).generateDataKey(ref, ctx)).rejects.toThrow(/chmod 600/);
  });

  it('destroys key material: the file is gone and unwrapping reports the key as not found', async () => {
    const kr = createKeyring({ dir });
    const ref = await kr.createKek({ ...ctx, version: 1 });
    const { wrapped } = await kr.generateDataKey(ref, ctx);
    await kr.destroyKek(ref);
    await kr.destroyKek(ref);
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(kr.unwrapKey(ref, wrapped, ctx)).rejects.toBeInstanceOf(KekNotFoundError);
  });

  it('rejects references that could escape the key folder', async () => {
    const kr = createKeyring({ dir });
    await expect(kr.unwrapKey('../../etc/passwd', Buffer.alloc(40), ctx)).rejects.toBeInstanceOf(KeyringError);
    await expect(kr.destroyKek('system.data.v1/../../x')).rejects.toBeInstanceOf(KeyringError);
  });

  describe('with MOWT_MASTER_KEY', () => {
    const master = crypto.randomBytes(32);

    it('seals key files so the folder alone opens nothing', async () => {
      const kr = createKeyring({ dir, masterKey: master });
      const ref = await kr.createKek({ ...ctx, version: 1 });
      const { plaintext, wrapped } = await kr.generateDataKey(ref, ctx);
      const file = JSON.parse(fs.readFileSync(path.join(dir, `${ref}.key`), 'utf8')) as { protection: string; key: string };
      expect(file.protection).toBe('master-key');
      expect(Buffer.from(file.key, 'base64')).toHaveLength(12 + 32 + 16);
      expect(await createKeyring({ dir, masterKey: master }).unwrapKey(ref, wrapped, ctx)).toEqual(plaintext);
      await expect(createKeyring({ dir }).unwrapKey(ref, wrapped, ctx)).rejects.toThrow(/set MOWT_MASTER_KEY/);
      await expect(createKeyring({ dir, masterKey: crypto.randomBytes(32) }).unwrapKey(ref, wrapped, ctx)).rejects.toThrow(
        /MOWT_MASTER_KEY does not open/,
      );
    });

    it('refuses a keyring that mixes sealed and unsealed files', async () => {
      const ref = await createKeyring({ dir }).createKek({ ...ctx, version: 1 });
      await expect(createKeyring({ dir, masterKey: master }).generateDataKey(ref, ctx)).rejects.toBeInstanceOf(KeyringError);
    });

    it('parses the master key as base64 or hex and rejects anything else', () => {
      expect(parseMasterKey(master.toString('base64'))).toEqual(master);
      expect(parseMasterKey(master.toString('hex'))).toEqual(master);
      expect(() => parseMasterKey('correct horse battery staple')).toThrow(KeyringError);
      expect(() => parseMasterKey(crypto.randomBytes(16).toString('base64'))).toThrow(KeyringError);
    });
  });
});
