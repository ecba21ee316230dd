// Outbound requests to URLs a customer typed (their Slack webhook, their security-alert webhook). Such a URL
// must never reach into Mowt's own network (SSRF): its host may resolve only to public addresses. Checking DNS
// before the request is not enough — a host can answer a public address to the check and a private one to
// the connection (DNS rebinding) — so the check runs inside the connection's own lookup: the socket connects
// to exactly the addresses that passed. Redirects are never followed (a 3xx is a failed delivery).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** Loopback, private, link-local, shared, reserved, documentation, multicast and mapped forms of them. */
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');

/** IPv4 written inside IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d) is judged as the IPv4 address it carries. */
function embeddedIpv4(ip: string): string | null {
  const v = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v);
  if (hex?.[1] && hex[2]) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

export function isPublicAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 0) return false;
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4) return isPublicAddress(v4);
    return !NOT_PUBLIC.check(ip, 'ipv6');
  }
  return !NOT_PUBLIC.check(ip, 'ipv4');
}

export class EgressRefusedError extends Error {
  override name = 'EgressRefusedError';
  readonly code = 'EGRESS_REFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for sockets that fails unless every address the host resolves to is public. */
export function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as dns.LookupAddress[];
    if (list.length === 0 || list.some((a) => !isPublicAddress(a.address))) {
      return callback(new EgressRefusedError(`${hostname} resolves to a private or reserved address`), []);
    }
    if (options.all) return callback(null, list);
    const first = list[0] as dns.LookupAddress;
    return callback(null, first.address, first.family);
  });
}

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Operator-configured or development targets only: customer-typed URLs stay public-only. */
  allowPrivate?: boolean;
}

/** POSTs a body and resolves with the status once the answer is read; rejects on refusal, network error or timeout. */
export function postOutbound(target: URL, body: string, opts: PostOptions = {}): Promise<number> {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // Node skips `lookup` for an address literal, so a literal is judged here.
  if (!opts.allowPrivate && net.isIP(host) && !isPublicAddress(host)) {
    return Promise.reject(new EgressRefusedError(`${host} is a private or reserved address`));
  }
  const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
  if (!client) return Promise.reject(new EgressRefusedError(`${target.protocol} URLs are not called`));
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...opts.headers },
        timeout: opts.timeoutMs ?? 10_000,
        ...(opts.allowPrivate ? {} : { lookup: publicOnlyLookup as unknown as typeof dns.lookup }),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
