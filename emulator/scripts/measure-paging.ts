// Rough numbers for the report: start-up time and memory of a business, and paging throughput.
// Run: node --expose-gc --import tsx emulator/scripts/measure-paging.ts large|demo
import Stripe from 'stripe';
import { startEmulator } from '../index.js';
const size = (process.argv[2] ?? 'large') as 'large';
const t0 = Date.now();
const em = await startEmulator({ business: size, seed: 1, rateLimitPerSecond: null });
const startMs = Date.now() - t0;
global.gc?.();
const mem = process.memoryUsage();
console.log(size, 'start ms', startMs, 'rss MB', Math.round(mem.rss / 1e6), 'heap MB', Math.round(mem.heapUsed / 1e6));
const stripe = new Stripe('sk_test_measure000000', { host: '127.0.0.1', port: em.port, protocol: 'http', maxNetworkRetries: 0 });
let n = 0; let requests = 0; let last: string | undefined;
const t1 = Date.now();
while (Date.now() - t1 < 10_000) {
  const page = await stripe.invoices.list({ limit: 100, ...(last ? { starting_after: last } : {}) });
  requests++; n += page.data.length; last = page.data[page.data.length - 1]?.id;
  if (!page.has_more) break;
}
const s = (Date.now() - t1) / 1000;
console.log('sequential invoices paging: req/s', (requests / s).toFixed(1), 'objects/s', Math.round(n / s));
// 8 parallel pagers over different kinds
const t2 = Date.now(); let req2 = 0;
await Promise.all(['customers', 'subscriptions', 'invoices', 'charges', 'balance_transactions', 'events', 'invoices', 'charges'].map(async (kind, i) => {
  let cursor: string | undefined;
  while (Date.now() - t2 < 10_000) {
    const r = await fetch(`${em.url}/v1/${kind}?limit=100${cursor ? `&starting_after=${cursor}` : ''}${i >= 6 ? '&created[lt]=1700000000' : ''}`, { headers: { authorization: 'Bearer sk_test_measure000000' } });
    const body = await r.json() as { data: Array<{ id: string }>; has_more: boolean };
    req2++; cursor = body.data[body.data.length - 1]?.id; if (!body.has_more) cursor = undefined;
  }
}));
console.log('8 parallel pagers: req/s', (req2 / ((Date.now() - t2) / 1000)).toFixed(1));
const m2 = process.memoryUsage(); console.log('rss after paging MB', Math.round(m2.rss / 1e6));
await em.close();
