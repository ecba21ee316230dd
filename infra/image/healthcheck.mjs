#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK and the ECS task's): GET /healthz on this container over
// HTTPS. The certificate is not verified: the call never leaves the container's loopback interface.
import https from 'node:https';

const port = Number(process.env.PORT || 8443);
const req = https.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 4000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
