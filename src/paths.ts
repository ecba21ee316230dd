// Where the project's own files are, whether running from src/ (tsx) or dist/src/ (built).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Mowt project root');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot();
export const WEB_DIST = path.join(PROJECT_ROOT, 'web', 'dist');
