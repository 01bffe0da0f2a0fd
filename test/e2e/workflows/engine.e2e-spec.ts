import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/platform/config/load-config';
import { RealtimeService } from '../../../src/platform/realtime/realtime.service';
import { RedisService } from '../../../src/platform/redis/redis.service';
import { IntegrationGateway } from '../../../src/domains/integrations/integration-gateway';
import { type Resolver, SafeHttpClient } from '../../../src/platform/http/outbound/safe-http';
import { SsrfPolicy } from '../../../src/platform/http/outbound/ssrf-policy';
import { type RunInput, WorkflowRunner } from '../../../src/domains/workflows/engine/workflow-runner';
import type { StepLogEntry } from '../../../src/domains/workflows/engine/execution-log';
import { normaliseSteps } from '../../../src/domains/workflows/steps/step-validation';
import { TEST_REDIS_URL } from '../../setup/test-env';

/** A real HTTP server on loopback with scripted routes. */
function startServer() {
  const hits: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      switch (url.pathname) {
        case '/ok':
          return send(200, { id: 'item-42', echo: body ? JSON.parse(body) : null, auth: req.headers.authorization ?? null });
        case '/fail':
          return send(500, { error: 'boom' });
        case '/slow':
          return void setTimeout(() => send(200, { late: true }), 2_000);
        case '/flaky':
          return hits['/flaky'] < 3 ? send(503, { try: hits['/flaky'] }) : send(200, { ok: true });
        case '/big':
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end('x'.repeat(200_000));
        case '/redirect':
          res.writeHead(302, { location: url.searchParams.get('to')! });
          return res.end();
        default:
          return send(404, {});
      }
    });
  });
  return new Promise<{ base: string; hits: typeof hits; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

class NoIntegrations extends IntegrationGateway {
  async execute(): Promise<unknown> {
    throw new Error('no integrations in this test');
  }
  async checkSteps(): Promise<never[]> {
    return [];
  }
}

describe('workflow engine (real HTTP server, real Redis)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let redis: RedisService;
  let realtime: RealtimeService;
  const clients: SafeHttpClient[] = [];

  beforeAll(async () => {
    server = await startServer();
    redis = new RedisService(loadConfig({ REDIS_KEY_PREFIX: 'floyo-test-engine:' }));
    realtime = new RealtimeService(redis);
    realtime.onModuleInit();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await redis.onApplicationShutdown();
    await server.close();
  });

  function runner(allowlist: string[] = ['127.0.0.1'], resolver?: Resolver) {
    const client = new SafeHttpClient(new SsrfPolicy(allowlist), 64 * 1024, resolver);
    clients.push(client);
    return new WorkflowRunner(client, realtime, new NoIntegrations());
  }

  async function run(r: WorkflowRunner, rawSteps: unknown, extra: Partial<RunInput> = {}) {
    const parsed = normaliseSteps(rawSteps);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const log: StepLogEntry[] = [];
    const result = await r.run(
      {
        executionId: 'e1',
        workflowId: 'w1',
        ownerId: 'u1',
        organizationId: null,
        steps: parsed.steps,
        trigger: { who: 'ada' },
        previousLog: [],
        signal: AbortSignal.timeout(20_000),
        ...extra,
      },
      { onStep: async (e) => void log.push(e) },
    );
    return { result, log };
  }

  it('runs an http step and templates later steps with its output and the trigger', async () => {
    const { result, log } = await run(runner(), [
      { id: 'fetch', type: 'http', method: 'GET', url: `${server.base}/ok` },
      {
        id: 'post',
        type: 'http',
        method: 'POST',
        url: `${server.base}/ok?ref={{steps.fetch.output.body.id}}`,
        headers: { Authorization: 'Bearer {{trigger.who}}' },
        body: { item: '{{steps.fetch.output.body.id}}', n: 1 },
      },
    ]);
    expect(result).toEqual({ status: 'completed' });
    expect(log[0]).toMatchObject({ step_id: 'fetch', status: 'completed', attempts: 1, output: { status: 200, body: { id: 'item-42' } } });
    expect(log[1].output).toMatchObject({ body: { echo: { item: 'item-42', n: 1 }, auth: 'Bearer ada' } });
  });

  it('fails on HTTP ≥ 400 and keeps the response; continue_on_error carries on', async () => {
    const failed = await run(runner(), [
      { id: 'f', type: 'http', method: 'GET', url: `${server.base}/fail` },
      { type: 'delay', ms: 0 },
    ]);
    expect(failed.result).toEqual({ status: 'failed', error: 'Step "f" failed: HTTP 500' });
    expect(failed.log).toHaveLength(1);
    expect(failed.log[0]).toMatchObject({ status: 'failed', error: 'HTTP 500', output: { status: 500, body: { error: 'boom' } } });

    const tolerant = await run(runner(), [
      { id: 'f', type: 'http', method: 'GET', url: `${server.base}/fail`, continue_on_error: true },
      { id: 'after', type: 'delay', ms: 0 },
    ]);
    expect(tolerant.result).toEqual({ status: 'completed' });
    expect(tolerant.log.map((e) => [e.step_id, e.status])).toEqual([
      ['f', 'failed'],
      ['after', 'completed'],
    ]);
  });

  it('times out a slow endpoint', async () => {
    const started = Date.now();
    const { result, log } = await run(runner(), [{ id: 's', type: 'http', method: 'GET', url: `${server.base}/slow`, timeout_ms: 200 }]);
    expect(result.status).toBe('failed');
    expect(log[0].error).toMatch(/timeout|aborted/i);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('retries a step up to `retries` extra attempts', async () => {
    const { result, log } = await run(runner(), [{ id: 'r', type: 'http', method: 'GET', url: `${server.base}/flaky`, retries: 3 }]);
    expect(result).toEqual({ status: 'completed' });
    expect(log[0]).toMatchObject({ status: 'completed', attempts: 3 });
    const exhausted = await run(runner(), [{ id: 'r', type: 'http', method: 'GET', url: `${server.base}/fail`, retries: 1 }]);
    expect(exhausted.log[0]).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('truncates large bodies to the bound', async () => {
    const { log } = await run(runner(), [{ id: 'b', type: 'http', method: 'GET', url: `${server.base}/big` }]);
    const out = log[0].output as { truncated?: boolean; preview?: string; body?: string };
    expect(out.truncated).toBe(true);
    expect(JSON.stringify(out).length).toBeLessThan(20_000);
  });

  describe('SSRF guard', () => {
    const refused = async (r: WorkflowRunner, url: string) => {
      const { result, log } = await run(r, [{ id: 'x', type: 'http', method: 'GET', url }]);
      expect(result.status).toBe('failed');
      return log[0].error!;
    };

    it('refuses loopback without an allowlist, before any byte is sent', async () => {
      const before = server.hits['/ok'] ?? 0;
      expect(await refused(runner([]), `${server.base}/ok`)).toMatch(/refusing to contact 127\.0\.0\.1/);
      expect(server.hits['/ok'] ?? 0).toBe(before);
    });

    it('refuses the metadata address, unspecified and IPv6 loopback literals', async () => {
      expect(await refused(runner([]), 'http://169.254.169.254/latest/meta-data/')).toMatch(/linkLocal/);
      expect(await refused(runner([]), 'http://0.0.0.0:80/')).toMatch(/unspecified/);
      expect(await refused(runner([]), 'http://[::1]:80/')).toMatch(/loopback/);
      expect(await refused(runner([]), 'http://[::ffff:10.0.0.1]/')).toMatch(/private/);
    });

    it('refuses a hostname that resolves to a private address (checked after DNS)', async () => {
      const fakeDns: Resolver = (host, cb) =>
        host === 'internal.example'
          ? cb(null, [{ address: '10.1.2.3', family: 4 }])
          : cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
      expect(await refused(runner([], fakeDns), 'http://internal.example/x')).toMatch(/internal\.example \(10\.1\.2\.3, private/);
      // the real resolver: localhost is loopback
      expect(await refused(runner([]), `http://localhost:${new URL(server.base).port}/ok`)).toMatch(/refusing to contact localhost/);
    });

    it('checks every redirect hop', async () => {
      const port = new URL(server.base).port;
      const error = await refused(runner(['127.0.0.1']), `${server.base}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${port}/ok`)}`);
      expect(error).toMatch(/refusing to contact 127\.0\.0\.2/);
      // a redirect to an allowed address is followed
      const ok = await run(runner(['127.0.0.1']), [
        { type: 'http', method: 'GET', url: `${server.base}/redirect?to=${encodeURIComponent('/ok')}` },
      ]);
      expect(ok.result.status).toBe('completed');
    });
  });

  it('delays, and the execution deadline aborts a long delay', async () => {
    const short = await run(runner(), [{ type: 'delay', ms: 30 }]);
    expect(short.result.status).toBe('completed');
    const started = Date.now();
    const cut = await run(runner(), [{ type: 'delay', ms: 60_000 }], { signal: AbortSignal.timeout(200) });
    expect(cut.result).toEqual({ status: 'failed', error: expect.stringMatching(/timed out/) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('publishes notify steps to the owner’s room through Redis', async () => {
    const sub = new Redis(TEST_REDIS_URL);
    const messages: string[] = [];
    await sub.psubscribe('floyo-test-engine:socket.io*');
    sub.on('pmessageBuffer', (_p, _c, msg: Buffer) => messages.push(msg.toString('latin1')));
    try {
      const { result, log } = await run(runner(), [{ type: 'notify', message: 'hello {{trigger.who}}' }]);
      expect(result.status).toBe('completed');
      expect(log[0].output).toEqual({ delivered_to: 'user', message: 'hello ada' });
      for (let i = 0; i < 20 && !messages.length; i++) await new Promise((r) => setTimeout(r, 25));
      expect(messages.join()).toContain('hello ada');
      expect(messages.join()).toContain('user:u1');
      const orgless = await run(runner(), [{ type: 'notify', message: 'x', target: 'org' }]);
      expect(orgless.result.status).toBe('failed');
    } finally {
      sub.disconnect();
    }
  });

  it('resumes after an interruption without re-running completed steps', async () => {
    const before = server.hits['/ok'] ?? 0;
    const done: StepLogEntry = {
      step_id: 'fetch',
      type: 'http',
      status: 'completed',
      attempts: 1,
      started_at: new Date().toISOString(),
      finished_at: new Date().toISOString(),
      output: { status: 200, body: { id: 'from-before' } },
    };
    const { result, log } = await run(
      runner(),
      [
        { id: 'fetch', type: 'http', method: 'GET', url: `${server.base}/ok` },
        { id: 'use', type: 'notify', message: '{{steps.fetch.output.body.id}}' },
      ],
      { previousLog: [done] },
    );
    expect(result.status).toBe('completed');
    expect(server.hits['/ok'] ?? 0).toBe(before);
    expect(log.map((e) => e.step_id)).toEqual(['use']);
    expect(log[0].output).toMatchObject({ message: 'from-before' });
  });
});
