// TLS material: a configured certificate (production, behind the load balancer) or a self-signed one made
// on first start in the data folder (development/embedded). Both are served with TLS 1.3 only.
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  generated: boolean;
}

/** The only protocol version Mowt accepts: the security page promises TLS 1.3 for all connections. */
export const TLS_OPTIONS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

export async function loadTls(opts: { certFile?: string; keyFile?: string; dataDir: string }): Promise<TlsMaterial> {
  if (opts.certFile && opts.keyFile) {
    return { cert: fs.readFileSync(opts.certFile, 'utf8'), key: fs.readFileSync(opts.keyFile, 'utf8'), generated: false };
  }
  const dir = path.join(opts.dataDir, 'tls');
  const certPath = path.join(dir, 'localhost.crt');
  const keyPath = path.join(dir, 'localhost.key');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8'), generated: false };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  // Written with 0600 from the start: the key is never readable by others, not even for an instant. 'wx'
  // makes the first process to start on this folder the one whose pair is kept; another starting at the
  // same moment uses that pair instead of crashing.
  try {
    fs.writeFileSync(keyPath, pems.private, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return waitForPair(certPath, keyPath);
  }
  fs.writeFileSync(certPath, pems.cert, { mode: 0o600, flag: 'wx' });
  return { cert: pems.cert, key: pems.private, generated: true };
}

/** The pair another process is writing: both files present and complete (PEM end lines), within 10 s. */
async function waitForPair(certPath: string, keyPath: string): Promise<TlsMaterial> {
  const complete = (file: string): string | null => {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    return /-----END [A-Z ]+-----\s*$/.test(text) ? text : null;
  };
  for (let waited = 0; waited < 10_000; waited += 50) {
    const key = complete(keyPath);
    const cert = complete(certPath);
    if (key && cert) return { cert, key, generated: false };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`another process started writing ${keyPath} but did not finish; remove the tls folder and start again`);
}
