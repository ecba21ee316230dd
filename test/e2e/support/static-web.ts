// Builds the web app into a temporary folder and serves it over plain HTTP with the production
// Content-Security-Policy, so browser tests of the SPA run without the backend and still catch any
// inline script or style the policy would block.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

// The server's policy (src/http/headers.ts) minus upgrade-insecure-requests, which would send this plain
// HTTP test server's own assets to https.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export interface StaticWeb {
  url: string;
  close(): Promise<void>;
}

/** A digest of everything the bundle is built from, so a cached build is reused only while it is current. */
function sourceDigest(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(path.relative(REPO, file)).update(fs.readFileSync(file));
    }
  };
  walk(path.join(REPO, 'web/src'));
  walk(path.join(REPO, 'web/public'));
  // Type-only imports from src/ are erased, so src/ does not change the bundle.
  for (const f of ['web/index.html', 'web/vite.config.ts', 'package-lock.json']) hash.update(f).update(fs.readFileSync(path.join(REPO, f)));
  return hash.digest('hex').slice(0, 16);
}

async function viteBuild(outDir: string): Promise<void> {
  // Vitest sets NODE_ENV=test, which would bundle React's development build (and JSX dev runtime);
  // the browser tests should exercise exactly what ships.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(REPO, 'web/vite.config.ts'), logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = previous;
  }
}

/**
 * A fresh production build of the SPA in a temporary folder the caller owns (and deletes). The build is made
 * once per source state and copied for each caller: every browser test file needs one, and building takes
 * seconds on two cores. The cache is renamed into place only when complete, so a concurrent or interrupted
 * build is never half-read.
 */
export async function buildWeb(): Promise<string> {
  const cache = path.join(os.tmpdir(), `mowt-web-build-${sourceDigest()}`);
  if (!fs.existsSync(path.join(cache, 'index.html'))) {
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-web-staging-'));
    await viteBuild(staging);
    try {
      fs.renameSync(staging, cache);
    } catch {
      // Another test file finished the same build first (or a broken folder is in the way): use this one.
      if (!fs.existsSync(path.join(cache, 'index.html'))) return staging;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-web-'));
  fs.cpSync(cache, outDir, { recursive: true });
  return outDir;
}

/** Serves `dir` like the real server does: files when they exist, index.html for app routes, 404 for /api. */
export async function serveWeb(dir: string): Promise<StaticWeb> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    if (url.pathname.startsWith('/api/')) {
      // The browser tests answer /api themselves (page.route); reaching here is a test bug.
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Not Found', status: 404 }));
      return;
    }
    const file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    const inside = file.startsWith(dir + path.sep);
    const target = inside && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(dir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' });
    fs.createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
