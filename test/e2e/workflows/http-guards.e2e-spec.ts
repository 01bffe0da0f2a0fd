import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../src/config/load-config';
import { RealtimeService } from '../../../src/realtime/realtime.service';
import { RedisService } from '../../../src/redis/redis.service';
import { IntegrationGateway } from '../../../src/workflows/engine/integration-gateway';
import type { StepLogEntry } from '../../../src/workflows/engine/execution-log';
import { type Resolver, SafeHttpClient } from '../../../src/workflows/engine/safe-http';
import { SsrfPolicy } from '../../../src/workflows/engine/ssrf-policy';
import { WorkflowRunner } from '../../../src/workflows/engine/workflow-runner';
import { normaliseSteps } from '../../../src/workflows/steps/step-validation';
import { TEST_ENV } from '../../setup/test-env';

interface Server {
  base: string;
  port: number;
  hits: Record<string, number>;
  close: () => Promise<void>;
}

/** A real HTTP server on loopback: `/echo` answers the request's headers, `/redirect?to=` and `/loop` redirect. */
function startServer(): Promise<Server> {
  const hits: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    switch (url.pathname) {
      case '/echo':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ headers: req.headers }));
      case '/redirect':
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to')! });
        return res.end();
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, port, hits, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

class NoIntegrations extends IntegrationGateway {
  async execute(): Promise<unknown> {
    throw new Error('no integrations in this test');
  }
}

/** Two names of loopback, so that a redirect can change the host but keep address and port. */
const twoHosts: Resolver = (host, cb) =>
  ['api.example', 'other.example'].includes(host)
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);

describe('workflow http steps: credentials on redirects (real HTTP servers)', () => {
  let a: Server;
  let b: Server;
  let redis: RedisService;
  let realtime: RealtimeService;
  const clients: SafeHttpClient[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startServer(), startServer()]);
    redis = new RedisService(loadConfig({ REDIS_KEY_PREFIX: `${TEST_ENV.REDIS_KEY_PREFIX}http-guards:` }));
    realtime = new RealtimeService(redis);
    realtime.onModuleInit();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await redis.onApplicationShutdown();
    await Promise.all([a.close(), b.close()]);
  });

  function client(allowlist: string[] = ['127.0.0.1'], resolver?: Resolver) {
    const c = new SafeHttpClient(new SsrfPolicy(allowlist), 64 * 1024, resolver);
    clients.push(c);
    return c;
  }

  /** Runs one http step carrying credentials (templated from the trigger) and returns the final response. */
  async function runWithCredentials(url: string, resolver?: Resolver, method = 'GET') {
    const parsed = normaliseSteps([
      {
        id: 'call',
        type: 'http',
        method,
        url,
        headers: {
          Authorization: 'Bearer {{trigger.token}}',
          Cookie: 'session=cookie-secret',
          'Proxy-Authorization': 'Basic cHJveHk6c2VjcmV0',
          'X-Trace': 'kept',
        },
        ...(method === 'GET' ? {} : { body: { a: 1 } }),
      },
    ]);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const log: StepLogEntry[] = [];
    const result = await new WorkflowRunner(client(['127.0.0.1'], resolver), realtime, new NoIntegrations()).run(
      {
        executionId: 'e1',
        workflowId: 'w1',
        ownerId: 'u1',
        organizationId: null,
        steps: parsed.steps,
        trigger: { token: 'token-secret' },
        previousLog: [],
        signal: AbortSignal.timeout(20_000),
      },
      { onStep: async (e) => void log.push(e) },
    );
    expect(result).toEqual({ status: 'completed' });
    return (log[0].output as { body: { headers: Record<string, string | undefined> } }).body.headers;
  }

  const to = (server: Server, target: string, status = 302) => `${server.base}/redirect?status=${status}&to=${encodeURIComponent(target)}`;
  const credentials = (headers: Record<string, string | undefined>) => ({
    authorization: headers.authorization,
    cookie: headers.cookie,
    'proxy-authorization': headers['proxy-authorization'],
  });
  const none = { authorization: undefined, cookie: undefined, 'proxy-authorization': undefined };

  describe('credentials on redirects', () => {
    it('keeps Authorization, Cookie and Proxy-Authorization on a redirect within the origin', async () => {
      const headers = await runWithCredentials(to(a, '/echo'));
      expect(credentials(headers)).toEqual({
        authorization: 'Bearer token-secret',
        cookie: 'session=cookie-secret',
        'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
      });
      expect(headers['x-trace']).toBe('kept');
    });

    it('drops them when a redirect changes the port (another origin); other headers stay', async () => {
      for (const status of [301, 302, 303, 307, 308]) {
        const headers = await runWithCredentials(to(a, `${b.base}/echo`, status), undefined, status === 307 ? 'POST' : 'GET');
        expect(credentials(headers)).toEqual(none);
        expect(headers['x-trace']).toBe('kept');
      }
    });

    it('drops them when a redirect changes the host, even to the same address and port', async () => {
      const first = `http://api.example:${a.port}/redirect?to=${encodeURIComponent(`http://other.example:${a.port}/echo`)}`;
      const headers = await runWithCredentials(first, twoHosts);
      expect(headers.host).toBe(`other.example:${a.port}`);
      expect(credentials(headers)).toEqual(none);
    });

    it('does not send them again when a later redirect comes back to the first origin', async () => {
      const headers = await runWithCredentials(to(a, to(b, `${a.base}/echo`)));
      expect(credentials(headers)).toEqual(none);
    });
  });
});
