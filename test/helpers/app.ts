// Builds a real Mowt (HTTPS, TLS 1.3, all hooks) on random ports with a temporary data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';

export interface TestApp extends App {
  dataDir: string;
  httpsPort: number;
  httpPort: number;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-test-'));
  const config = loadConfig({ MOWT_DATA_DIR: dataDir, PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  let app: App;
  try {
    app = await createApp(config, { logger: createLogger({ level: 'silent' }), ...overrides });
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { httpsPort, httpPort } = await app.listen();
  return Object.assign(app, {
    dataDir,
    httpsPort,
    httpPort,
    baseUrl: config.baseUrl,
    async stop() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
