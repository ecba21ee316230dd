import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackSender } from '../digest/slack-webhook.js';
import { EgressRefusedError, isPublicAddress, postOutbound, publicOnlyLookup } from './egress.js';

describe('which addresses count as public', () => {
  it.each([
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['2606:4700:4700::1111', true],
    ['10.1.2.3', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false], // cloud instance metadata
    ['100.64.0.1', false],
    ['172.31.255.255', false],
    ['192.168.0.10', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['198.18.0.1', false],
    ['::1', false],
    ['::', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false], // the same, written in hex
    ['64:ff9b::a9fe:a9fe', false], // metadata through NAT64
    ['::ffff:8.8.8.8', true],
    ['not-an-address', false],
  ])('%s → %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });
});

describe('outbound posts to customer-typed URLs', () => {
  let server: http.Server;
  let port: number;
  const received: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
  let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(200).end('ok');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body, headers: req.headers });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    answer = (res) => res.writeHead(200).end('ok');
  });

  it('refuses a private address literal before connecting', async () => {
    await expect(postOutbound(new URL(`http://127.0.0.1:${port}/hook`), '{}')).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(postOutbound(new URL(`http://[::1]:${port}/hook`), '{}')).rejects.toBeInstanceOf(EgressRefusedError);
    expect(received).toEqual([]);
  });

  it('refuses a name that resolves to a private address at connect time, so no DNS answer given earlier matters', async () => {
    await expect(postOutbound(new URL(`http://localhost:${port}/hook`), '{}')).rejects.toThrow(/private or reserved/);
    expect(received).toEqual([]);
    const err = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(EgressRefusedError);
  });

  it('delivers to an allowed private target (operator-configured, development) with the body and headers given', async () => {
    const status = await postOutbound(new URL(`http://localhost:${port}/hook?x=1`), '{"text":"hi"}', { allowPrivate: true, headers: { 'x-mowt-signature': 'v1=abc' } });
    expect(status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ url: '/hook?x=1', body: '{"text":"hi"}' });
    expect(received[0]!.headers['x-mowt-signature']).toBe('v1=abc');
    expect(received[0]!.headers['content-type']).toBe('application/json');
  });

  it('never follows a redirect: the Slack sender counts a 3xx as a failed delivery', async () => {
    answer = (res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    const sender = slackSender({ allowPrivate: true, post: (url, body, o) => postOutbound(new URL(String(url).replace('https://hooks.test', `http://127.0.0.1:${port}`)), body, o) });
    await expect(sender.post('https://hooks.test/services/T000', 'hello')).rejects.toThrow(/answered 302/);
    expect(received.map((r) => r.url)).toEqual(['/services/T000']);
  });

  it('gives up on a target that does not answer', async () => {
    answer = () => undefined;
    await expect(postOutbound(new URL(`http://127.0.0.1:${port}/slow`), '{}', { allowPrivate: true, timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
  });
});
