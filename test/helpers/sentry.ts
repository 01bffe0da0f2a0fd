import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A Sentry endpoint on loopback that keeps every envelope it receives (as text). */
export async function startFakeSentry() {
  const envelopes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    dsn: `http://publickey@127.0.0.1:${(server.address() as AddressInfo).port}/42`,
    envelopes,
    close: () => new Promise((r) => server.close(r)),
  };
}
