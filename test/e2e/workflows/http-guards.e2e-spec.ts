import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../src/platform/config/load-config';
import { RealtimeService } from '../../../src/platform/realtime/realtime.service';
import { RedisService } from '../../../src/platform/redis/redis.service';
import { IntegrationGateway } from '../../../src/domains/integrations/integration-gateway';
import type { StepLogEntry } from '../../../src/domains/workflows/engine/execution-log';
import { type Resolver, SafeHttpClient } from '../../../src/platform/http/outbound/safe-http';
import { SsrfPolicy } from '../../../src/platform/http/outbound/ssrf-policy';
import { WorkflowRunner } from '../../../src/domains/workflows/engine/workflow-runner';
import { normaliseSteps } from '../../../src/domains/workflows/steps/step-validation';
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
  async checkSteps(): Promise<never[]> {
    return [];
  }
}

/** Two names of loopback, so that a redirect can change the host but keep address and port. */
const twoHosts: Resolver = (host, cb) =>
  ['api.example', 'other.example'].includes(host)
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);

describe('workflow http steps: credentials on redirects and the SSRF guard (real HTTP servers)', () => {
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

  describe('SSRF guard', () => {
    const refusal = async (c: SafeHttpClient, url: string) => {
      const err = await c.call({ method: 'GET', url, timeoutMs: 5_000 }).then(
        () => undefined,
        (e: Error) => e,
      );
      // undici's errors come from node's realm, not the test's: check the shape, not the class
      expect(err?.message).toEqual(expect.any(String));
      return err!.message;
    };

    it.each(['http://2130706433:PORT/echo', 'http://0177.0.0.1:PORT/echo', 'http://0x7f.0.0.1:PORT/echo', 'http://127.1:PORT/echo'])(
      'reads %s as 127.0.0.1 and refuses it, sending nothing',
      async (template) => {
        const before = a.hits['/echo'] ?? 0;
        expect(await refusal(client([]), template.replace('PORT', String(a.port)))).toMatch(/refusing to contact 127\.0\.0\.1 /);
        expect(a.hits['/echo'] ?? 0).toBe(before);
      },
    );

    it.each([
      ['http://[::ffff:127.0.0.1]:PORT/echo', 'IPv4-mapped'],
      ['http://[::ffff:7f00:1]:PORT/echo', 'IPv4-mapped, hex'],
    ])('refuses the IPv6 literal %s (%s) like the IPv4 address it maps', async (template) => {
      expect(await refusal(client([]), template.replace('PORT', String(a.port)))).toMatch(/refusing to contact .*127\.0\.0\.1/);
    });

    it.each([
      ['http://[::7f00:1]:PORT/echo', 'IPv4-compatible'],
      ['http://[::a00:1]/', 'IPv4-compatible'],
      ['http://[64:ff9b::7f00:1]/', 'NAT64'],
      ['http://[64:ff9b:1::a00:1]/', 'local-use NAT64'],
      ['http://[2002:7f00:1::]/', '6to4'],
      ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'Teredo'],
    ])('refuses the IPv6 literal %s (%s)', async (template) => {
      // the allowlist names 127.0.0.1: an IPv6 form that embeds it is still refused
      expect(await refusal(client(['127.0.0.1']), template.replace('PORT', String(a.port)))).toMatch(/refusing to contact/);
    });

    it.each(['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:70/x', 'data:text/plain,hi', 'ws://127.0.0.1/'])(
      'refuses the scheme of %s',
      async (url) => {
        expect(await refusal(client(), url)).toMatch(/only http\(s\) URLs are allowed/);
      },
    );

    it('refuses URLs with credentials (userinfo)', async () => {
      const before = a.hits['/echo'] ?? 0;
      expect(await refusal(client(), `http://user:pass@127.0.0.1:${a.port}/echo`)).toMatch(/credentials in URLs are not allowed/);
      expect(await refusal(client(), `http://user@127.0.0.1:${a.port}/echo`)).toMatch(/credentials in URLs are not allowed/);
      expect(a.hits['/echo'] ?? 0).toBe(before);
    });

    it('checks every redirect target: loopback, metadata, other schemes, userinfo', async () => {
      const c = client(['127.0.0.1']);
      expect(await refusal(c, to(a, `http://[::1]:${a.port}/echo`))).toMatch(/refusing to contact \[::1\]/);
      expect(await refusal(c, to(a, `http://2130706434:${a.port}/echo`))).toMatch(/refusing to contact 127\.0\.0\.2/);
      expect(await refusal(c, to(a, 'http://169.254.169.254/latest/meta-data/'))).toMatch(/refusing to contact 169\.254\.169\.254/);
      expect(await refusal(c, to(a, 'file:///etc/passwd'))).toMatch(/only http\(s\) URLs/);
      expect(await refusal(c, to(a, `http://user:pass@127.0.0.1:${a.port}/echo`))).toMatch(/credentials in URLs/);
    });

    it('stops a redirect loop after 5 redirects', async () => {
      const before = a.hits['/loop'] ?? 0;
      expect(await refusal(client(), `${a.base}/loop`)).toMatch(/too many redirects \(more than 5\)/);
      expect((a.hits['/loop'] ?? 0) - before).toBe(6);
    });
  });
});
