import { randomBytes } from 'node:crypto';
import { assertBuilt, freePort, type Service, startService } from '../helpers/processes';
import { TEST_DATABASE_URL } from '../setup/test-env';

const PROD = {
  ENVIRONMENT: 'production',
  SECRET_KEY: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  CORS_ORIGINS: 'https://app.floyo.dev',
  MIGRATIONS_RUN_ON_BOOT: 'false',
  DATABASE_URL: TEST_DATABASE_URL,
};

/**
 * /metrics (process, heap, queue and per-route figures) and the API docs as a production
 * API process (dist/main.js) serves them: metrics on a port of their own, not on the
 * public one unless METRICS_PUBLIC=true; docs on unless API_DOCS_ENABLED=false.
 */
describe('operational endpoints in production (real processes)', () => {
  beforeAll(() => assertBuilt());

  describe('defaults', () => {
    let api: Service;
    let metricsPort: number;
    const get = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    beforeAll(async () => {
      metricsPort = await freePort();
      api = await startService('api', { ...PROD, METRICS_PORT: String(metricsPort) });
    });
    afterAll(() => api?.stop());

    it('keeps /metrics off the public port', async () => {
      const res = await get(api.port, '/metrics');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { detail: string }).detail).toEqual(expect.any(String));
      expect((await get(api.port, '/metrics?format=prometheus')).status).toBe(404);
    });

    it('serves every figure on METRICS_PORT, and nothing else there', async () => {
      await get(api.port, '/health').then((r) => expect(r.status).toBe(200));
      const res = await get(metricsPort, '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(/^floyo_process_cpu_seconds_total /m);
      expect(text).toMatch(/^floyo_nodejs_heap_size_used_bytes /m);
      expect(text).toMatch(/^floyo_queue_jobs\{queue="workflows",state="waiting"\} \d+/m);
      expect(text).toMatch(/^floyo_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/m);
      for (const path of ['/health/liveness', '/api/auth/me', '/docs', '/']) expect((await get(metricsPort, path)).status).toBe(404);
    });

    it('serves the API docs (API_DOCS_ENABLED defaults to true)', async () => {
      expect((await get(api.port, '/docs')).status).toBe(200);
      expect(((await (await get(api.port, '/openapi.json')).json()) as { openapi: string }).openapi).toMatch(/^3\./);
    });
  });

  it('METRICS_PUBLIC=true puts /metrics on the public port too; API_DOCS_ENABLED=false turns the docs off', async () => {
    const api = await startService('api', { ...PROD, METRICS_PORT: '0', METRICS_PUBLIC: 'true', API_DOCS_ENABLED: 'false' });
    try {
      const metrics = await fetch(`http://127.0.0.1:${api.port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^floyo_process_cpu_seconds_total /m);
      for (const path of ['/docs', '/openapi.json', '/docs/json']) {
        const res = await fetch(`http://127.0.0.1:${api.port}${path}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { detail: string }).detail).toEqual(expect.any(String));
      }
      // the rest of the API is unaffected
      expect((await fetch(`http://127.0.0.1:${api.port}/health`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});
