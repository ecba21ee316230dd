import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NONCE_BYTES, open, seal, TAG_BYTES } from './aes-gcm.js';
import { fieldAssociatedData } from './associated-data.js';
import { computeBlindIndex, normaliseForIndex } from './blind-index.js';
import { ciphertextPrefix, formatCiphertext, isCiphertext, parseCiphertext } from './ciphertext-format.js';
import { DecryptionError, MalformedCiphertextError } from './errors.js';
import { ExpiringLru } from './expiring-lru.js';
import { scopeOf } from './key-purpose.js';

describe('AES-256-GCM sealing', () => {
  const key = crypto.randomBytes(32);

  it('round-trips any bytes and any associated data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 256 }), (pt, ad) => {
        const sealed = seal(key, Buffer.from(pt), Buffer.from(ad));
        expect(sealed.length).toBe(pt.length + NONCE_BYTES + TAG_BYTES);
        expect(open(key, sealed, Buffer.from(ad))).toEqual(Buffer.from(pt));
      }),
    );
  });

  it('rejects any single-bit change of ciphertext or associated data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (pt, pos, bit) => {
        const ad = Buffer.from('ctx');
        const sealed = seal(key, Buffer.from(pt), ad);
        const flipped = Buffer.from(sealed);
        const i = pos % flipped.length;
        flipped[i] = flipped[i]! ^ (1 << bit);
        expect(() => open(key, flipped, ad)).toThrow(DecryptionError);
        const ad2 = Buffer.from(ad);
        ad2[pos % ad2.length] = ad2[pos % ad2.length]! ^ (1 << bit);
        expect(() => open(key, sealed, ad2)).toThrow(DecryptionError);
      }),
    );
  });

  it('uses a fresh nonce every time', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) nonces.add(seal(key, Buffer.from('x'), Buffer.alloc(0)).subarray(0, NONCE_BYTES).toString('hex'));
    expect(nonces.size).toBe(10_000);
  });
});

describe('associated data', () => {
  it('cannot be made ambiguous by separators inside table, column or row names', () => {
    const a = fieldAssociatedData('system', 'data', 1, { table: 'a|b', column: 'c', rowId: 'd' });
    const b = fieldAssociatedData('system', 'data', 1, { table: 'a', column: 'b|c', rowId: 'd' });
    expect(a.equals(b)).toBe(false);
    expect(fieldAssociatedData('system', 'data', 1, { table: 't', column: 'c', rowId: '1' }).equals(
      fieldAssociatedData('system', 'data', 2, { table: 't', column: 'c', rowId: '1' }),
    )).toBe(false);
  });

  it('keeps its exact bytes (every stored ciphertext was sealed with them): length-prefixed UTF-8 parts', () => {
    const ad = fieldAssociatedData('org', 'stripe', 12, { table: 'stripe_customers', column: 'name_encrypted', rowId: 'cus_Ü€😀' });
    expect(ad.toString('base64')).toBe(
      'AAAADW1vd3QtZmllbGQtdjEAAAADb3JnAAAABnN0cmlwZQAAAAIxMgAAABBzdHJpcGVfY3VzdG9tZXJzAAAADm5hbWVfZW5jcnlwdGVkAAAADWN1c1/DnOKCrPCfmIA=',
    );
  });
});

describe('ciphertext format', () => {
  it('round-trips and carries purpose and version in clear', () => {
    fc.assert(
      fc.property(fc.constantFrom('data', 'stripe', 'backup' as const), fc.integer({ min: 1, max: 999_999_999 }), fc.uint8Array({ minLength: 28, maxLength: 300 }), (purpose, keyVersion, bytes) => {
        const text = formatCiphertext({ purpose, keyVersion, sealed: Buffer.from(bytes) });
        expect(text.startsWith(ciphertextPrefix(purpose, keyVersion))).toBe(true);
        expect(isCiphertext(text)).toBe(true);
        expect(parseCiphertext(text)).toEqual({ purpose, keyVersion, sealed: Buffer.from(bytes) });
      }),
    );
  });

  it('rejects malformed text', () => {
    const good = formatCiphertext({ purpose: 'data', keyVersion: 1, sealed: crypto.randomBytes(40) });
    for (const bad of ['', 'hello', 'mw1:d:0:' + good.slice(8), 'mw1:x:1:' + good.slice(8), 'mw2' + good.slice(3), 'mw1:d:1:abc', good + '=', good.replace(/.$/, '!'), ` ${good}`]) {
      expect(() => parseCiphertext(bad), bad).toThrow(MalformedCiphertextError);
    }
  });
});

describe('blind index', () => {
  const key = crypto.randomBytes(32);

  it('normalises emails, phones and names', () => {
    expect(normaliseForIndex('email', '  Ada.Lovelace@Example.COM\t')).toBe('ada.lovelace@example.com');
    expect(normaliseForIndex('phone', '+44 (20) 7946-0018')).toBe('+442079460018');
    expect(normaliseForIndex('name', '  Ada   LOVELACE ')).toBe('ada lovelace');
    expect(normaliseForIndex('exact', ' A ')).toBe(' A ');
    // Composed and decomposed forms of é index alike.
    expect(computeBlindIndex(key, 'name', 'Zo\u00e9')).toBe(computeBlindIndex(key, 'name', 'Zoe\u0301'));
  });

  it('is deterministic per key and unrelated across keys', () => {
    const a = computeBlindIndex(key, 'email', 'a@b.c');
    expect(a).toBe(computeBlindIndex(key, 'email', ' A@B.C '));
    expect(a).not.toBe(computeBlindIndex(crypto.randomBytes(32), 'email', 'a@b.c'));
    expect(a).not.toContain('a@b.c');
  });
});

describe('expiring LRU', () => {
  it('evicts the least recently used beyond its bound and expires entries after the TTL', () => {
    let now = 0;
    const lru = new ExpiringLru<number>(2, 100, () => now);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    now = 100;
    expect(lru.get('a')).toBeUndefined();
    lru.set('org1|data|1', 1);
    lru.set('org2|data|1', 2);
    lru.deletePrefix('org1|');
    expect(lru.size).toBe(1);
  });
});

describe('scopes', () => {
  it('accepts organisation uuids and null only', () => {
    const id = crypto.randomUUID();
    expect(scopeOf(id.toUpperCase())).toBe(id);
    expect(scopeOf(null)).toBe('system');
    expect(() => scopeOf('system')).toThrow(TypeError);
    expect(() => scopeOf('../../etc')).toThrow(TypeError);
  });
});
