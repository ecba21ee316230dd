// Plain HTTP answers only with a permanent redirect to the HTTPS origin; it serves nothing else.
import http from 'node:http';

export function createRedirectServer(baseUrl: () => string): http.Server {
  return http.createServer((req, res) => {
    const origin = new URL(baseUrl()).origin;
    // The target comes from configuration, never from the Host header (no open redirect).
    const pathAndQuery = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/';
    res.writeHead(308, { location: origin + pathAndQuery, 'content-length': '0', connection: 'close' });
    res.end();
  });
}
