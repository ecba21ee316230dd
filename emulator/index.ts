// Public face of the Stripe emulator: start it as a library, or from the `mowt emulator` CLI.
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './api/faults.js';
import { RateLimiter } from './api/rate-limit.js';
import { RequestLog } from './api/request-log.js';
import { OAuthTokens } from './oauth/tokens.js';
import { DEFAULT_OAUTH_CLIENT } from './options.js';
import type { EmulatorOptions } from './options.js';
import { createEmulatorServer } from './server.js';
import { Accounts } from './store/accounts.js';
import { Clock } from './store/clock.js';
import { Webhooks } from './webhooks/endpoints.js';

export type { EmulatorOptions } from './options.js';
export { DEFAULT_OAUTH_CLIENT } from './options.js';
export type { FaultConfig } from './api/faults.js';
export type { BusinessSize } from './generator/business.js';
export type { LoggedRequest } from './api/request-log.js';
export { PAN_BAIT, PAN_BAIT_LOCATIONS } from './generator/bait.js';
export { isLuhnValid } from './generator/luhn.js';
export { signPayload } from './webhooks/signature.js';
export { runEmulatorCli, parseEmulatorArgs } from './cli.js';

export interface RunningEmulator {
  url: string;
  port: number;
  /** The main account's id (what `GET /v1/account` returns for a plain API key). */
  accountId: string;
  oauthClient: { clientId: string; clientSecret: string };
  store: {
    accounts: Accounts;
    clock: Clock;
    log: RequestLog;
    webhooks: Webhooks;
    tokens: OAuthTokens;
  };
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = opts.seed ?? 1;
  const clock = new Clock(opts.now ?? (() => new Date()));
  const accounts = new Accounts(opts.business ?? 'demo', seed, clock, opts.eventRetentionDays ?? 30);
  accounts.store(accounts.mainId); // generate eagerly so the first request is not slow
  const client = { ...DEFAULT_OAUTH_CLIENT, ...opts.oauth };
  const tokens = new OAuthTokens({ clientId: client.clientId, clientSecret: client.clientSecret }, () => clock.now(), opts.oauth?.accessTokenTtlSeconds ?? 3600);
  const log = new RequestLog();
  const webhooks = new Webhooks(() => clock.now());
  const server = createEmulatorServer({
    accounts, clock, log, tokens, webhooks,
    limiter: new RateLimiter(opts.rateLimitPerSecond === undefined ? 100 : opts.rateLimitPerSecond),
    faults: new FaultInjector(opts.faults ?? {}, seed),
    apiKeys: opts.apiKeys ?? null,
    revokedKeys: new Set(),
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    accountId: accounts.mainId,
    oauthClient: { clientId: client.clientId, clientSecret: client.clientSecret },
    store: { accounts, clock, log, webhooks, tokens },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}
