import http from 'node:http';
import type { MetricsService } from './metrics.service';

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * A bare HTTP listener outside the API's Fastify app, for scrapers and probes only:
 * `GET /metrics` (Prometheus text) and, when asked, `GET /health/liveness`; 404 for
 * anything else. The worker serves both on WORKER_METRICS_PORT, the API /metrics on
 * METRICS_PORT.
 */
export function createMetricsListener(metrics: MetricsService, options: { liveness: boolean }): http.Server {
  return http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics.render().then(
        (body) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(body),
        () => res.writeHead(500, JSON_TYPE).end(JSON.stringify({ detail: 'Metrics unavailable' })),
      );
    } else if (options.liveness && req.method === 'GET' && req.url === '/health/liveness') {
      res.writeHead(200, JSON_TYPE).end(JSON.stringify({ status: 'alive' }));
    } else {
      res.writeHead(404, JSON_TYPE).end(JSON.stringify({ detail: 'Not Found' }));
    }
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function close(server: http.Server | undefined): Promise<void> {
  return new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
}
