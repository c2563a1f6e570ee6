/**
 * An HTTP(S) proxy that records every request the browser makes, from every context (pages,
 * service worker, offscreen document), and forwards only those to allowed local origins.
 * Chromium is started with `--proxy-server` and `--proxy-bypass-list=<-loopback>`, so even
 * loopback traffic passes here; extension-origin loads never touch the network.
 */
import { createServer, request, type Server } from 'node:http';

export interface EgressLog {
  port: number;
  /** Every request seen: `GET http://127.0.0.1:1234/x`, `CONNECT example.com:443`, … */
  requests: string[];
  /** Requests to anything other than the allowed origins. */
  foreign(): string[];
  close(): Promise<void>;
}

export async function startEgressProxy(allowedHosts: () => string[]): Promise<EgressLog> {
  const requests: string[] = [];
  const isAllowed = (host: string) => allowedHosts().includes(host);
  const server: Server = createServer((req, res) => {
    const target = req.url ?? '';
    requests.push(`${req.method} ${target}`);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return void res.writeHead(400).end();
    }
    if (url.protocol !== 'http:' || !isAllowed(url.host)) return void res.writeHead(403).end('blocked by test proxy');
    const upstream = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket) => {
    requests.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    requests,
    foreign: () =>
      requests.filter((r) => {
        const [method, target = ''] = r.split(' ');
        if (method === 'CONNECT') return true;
        try {
          return !isAllowed(new URL(target).host);
        } catch {
          return true;
        }
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
