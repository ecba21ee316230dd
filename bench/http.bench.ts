// Throughput of Mowt's full HTTPS stack (TLS 1.3, headers, validation, logging off) on /healthz, as a ratio
// to bare Fastify over plain HTTP on the same machine (the ceiling the architecture names).
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startTestApp } from '../test/helpers/app.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;

async function measure(url: string): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, pipelining: 1 });
}

export async function run(): Promise<void> {
  const bare = Fastify();
  bare.get('/healthz', async () => ({ status: 'ok' }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddr = bare.server.address() as { port: number };
  const bareResult = await measure(`http://127.0.0.1:${bareAddr.port}/healthz`);
  await bare.close();

  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the generated development certificate
  const app = await startTestApp();
  const mowtResult = await measure(`https://127.0.0.1:${app.httpsPort}/healthz`);
  await app.stop();

  const row = (name: string, r: autocannon.Result) =>
    `${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}`;
  console.log(`${CONNECTIONS} connections, ${DURATION_S} s each`);
  console.log(row('bare Fastify, plain HTTP', bareResult));
  console.log(row('Mowt /healthz, HTTPS 1.3', mowtResult));
  console.log(`ratio Mowt / bare: ${(mowtResult.requests.average / bareResult.requests.average).toFixed(2)}`);
}
