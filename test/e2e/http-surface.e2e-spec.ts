import { createTestApp, type TestApp } from '../helpers/app';
import { bearer, registerAndLogin, uniqueEmail } from '../helpers/users';

describe('HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: String(64 * 1024) });
  });
  afterAll(() => t.close());

  describe('errors', () => {
    it('unknown route: 404 with detail', async () => {
      const res = await t.http().get('/api/definitely-not-here').expect(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
      await t.http().get('/api/v2/auth/me').expect(404);
    });

    it('malformed JSON: 422 with the validation shape', async () => {
      const res = await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": ');
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([{ loc: ['body'], msg: expect.any(String), type: 'json_invalid' }]);
    });

    it('a non-object body: 422', async () => {
      for (const body of ['[1,2]', '"text"', '42', 'null']) {
        const res = await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send(body);
        expect(res.status).toBe(422);
        expect(res.body.detail[0].loc).toEqual(['body']);
      }
    });

    it('wrong types and unknown fields: 422 naming each field', async () => {
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ email: 5, password: ['x'], role: 'admin' });
      expect(res.status).toBe(422);
      const byLoc = Object.fromEntries(res.body.detail.map((d: { loc: string[]; type: string }) => [d.loc.join('.'), d.type]));
      expect(byLoc['body.role']).toBe('extra_forbidden');
      expect(byLoc['body.email']).toBeDefined();
      expect(byLoc['body.password']).toBeDefined();
    });

    it('a body over the size limit: 413 with detail', async () => {
      const res = await t
        .http()
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70 * 1024) }));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('an unsupported media type is refused with a 4xx and detail', async () => {
      const res = await t.http().post('/api/auth/login').set('Content-Type', 'application/xml').send('<a/>');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.detail).toBeDefined();
    });
  });

  describe('headers', () => {
    it('echoes a sane X-Request-ID and makes one otherwise', async () => {
      const echoed = await t.http().get('/health').set('X-Request-ID', 'abc-123.def').expect(200);
      expect(echoed.headers['x-request-id']).toBe('abc-123.def');
      for (const bad of ['bad id with spaces', 'x'.repeat(300), '<script>']) {
        const made = await t.http().get('/health').set('X-Request-ID', bad).expect(200);
        expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const none = await t.http().get('/health').expect(200);
      expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('sends the security headers', async () => {
      const res = await t.http().get('/').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    });

    it('allows exactly the configured CORS origins', async () => {
      const ok = await t
        .http()
        .options('/api/auth/login')
        .set('Origin', 'http://localhost:3000')
        .set('Access-Control-Request-Method', 'POST');
      expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      const evil = await t
        .http()
        .options('/api/auth/login')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      // a simple request: the answer is not shared with another origin either (no origin is reflected)
      const read = await t.http().get('/health').set('Origin', 'https://evil.example').expect(200);
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
      const lookalike = await t.http().get('/health').set('Origin', 'http://localhost:3000.evil.example').expect(200);
      expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
      // Socket.IO's own HTTP (the long-polling handshake) follows the same list
      const polling = (origin: string) => t.http().get('/socket.io/').query({ EIO: '4', transport: 'polling' }).set('Origin', origin);
      expect((await polling('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
      expect((await polling('http://localhost:3000')).headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });

    it('gzips large responses', async () => {
      // superagent inflates the body itself; the header shows it travelled gzipped
      const res = await t.http().get('/openapi.json').set('Accept-Encoding', 'gzip').expect(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.body.openapi).toMatch(/^3\./);
      const small = await t.http().get('/health/liveness').set('Accept-Encoding', 'gzip').expect(200);
      expect(small.headers['content-encoding']).toBeUndefined();
    });
  });

  describe('OpenAPI', () => {
    it('serves the UI and a document listing every route under /api and /api/v1', async () => {
      await t.http().get('/docs').expect(200);
      const doc = (await t.http().get('/openapi.json').expect(200)).body;
      const routes = new Set<string>();
      for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(item)) routes.add(`${method.toUpperCase()} ${path}`);
      }
      // every route the app serves under /api or /health is documented, in both /api forms
      const served = t.routes
        .filter((r) => /^\/(api|health)(\/|$)/.test(r.url) && !['HEAD', 'OPTIONS'].includes(r.method))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
      expect(served).toContain('POST /api/auth/login');
      for (const r of served) {
        expect(routes).toContain(r);
        if (r.includes(' /api/')) expect(routes).toContain(r.replace(' /api/', ' /api/v1/'));
      }
    });
  });
});

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('applies the stricter auth limit with 429 + Retry-After in seconds', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.http().post('/api/auth/forgot-password').send({ email: uniqueEmail() });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const retryAfter = Number(last!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(last!.body).toEqual({ detail: expect.any(String) });
  });

  it('never limits probes and the root (every named limit is skipped there)', async () => {
    const t2 = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      for (let i = 0; i < 4; i++) {
        for (const path of ['/health', '/health/liveness', '/health/readiness', '/health/migrations', '/']) {
          await t2.http().get(path).expect(200);
        }
      }
      // the same client is limited on API routes (control)
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        codes.push((await t2.http().post('/api/auth/forgot-password').send({ email: uniqueEmail() })).status);
      }
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await t2.close();
    }
  });

  it('tracks authenticated callers by user, not by IP', async () => {
    // A separate app whose auth limit is generous, so only the per-minute one bites.
    const t2 = await createTestApp({ RATE_LIMIT_PER_MINUTE: '4' });
    try {
      const a = await registerAndLogin(t2); // 2 requests from this IP
      const b = await registerAndLogin(t2); // 2 more: the IP bucket is now full
      await t2.http().get('/health').expect(200); // probes are never limited
      const codesA: number[] = [];
      for (let i = 0; i < 5; i++) codesA.push((await t2.http().get('/api/auth/me').set(bearer(a.accessToken))).status);
      expect(codesA).toEqual([200, 200, 200, 200, 429]);
      // b has its own bucket
      await t2.http().get('/api/auth/me').set(bearer(b.accessToken)).expect(200);
    } finally {
      await t2.close();
    }
  });
});

describe('hostile bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses absurdly deep JSON with 422, not a stack overflow', async () => {
    const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":"a@example.com","password":"x","extra":${deep}}`);
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ['body'], type: 'too_deep' });
  });

  it('refuses an out-of-range skip with 422', async () => {
    const user = await registerAndLogin(t);
    const res = await t.http().get('/api/workflows').query({ skip: '1e30' }).set(bearer(user.accessToken));
    expect(res.status).toBe(422);
  });
});
