import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTls } from './tls.js';

describe('development TLS material', () => {
  it('is made once per data folder, 0600, and kept on the next start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-tls-'));
    try {
      const first = await loadTls({ dataDir });
      expect(first.generated).toBe(true);
      expect(fs.statSync(path.join(dataDir, 'tls', 'localhost.key')).mode & 0o777).toBe(0o600);
      const again = await loadTls({ dataDir });
      expect(again).toEqual({ ...first, generated: false });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives processes starting together on one folder the same pair instead of failing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-tls-'));
    try {
      const all = await Promise.all([1, 2, 3, 4].map(() => loadTls({ dataDir })));
      expect(all.filter((t) => t.generated)).toHaveLength(1);
      expect(new Set(all.map((t) => t.cert)).size).toBe(1);
      // The key matches the certificate everyone serves.
      const { key, cert } = all[0]!;
      expect(new crypto.X509Certificate(cert).checkPrivateKey(crypto.createPrivateKey(key))).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
