import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import compress from '@fastify/compress';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { requestIdFrom } from '@/platform/logging/logger.config';
import { installRequestLogging } from '@/platform/logging/request-log';
import type { AppConfig } from '@/platform/config/app-config';
import { MetricsService } from '@/platform/metrics/metrics.service';
import { mountQueueDashboard } from '@/platform/queue/queue-dashboard';
import { RedisIoAdapter } from '@/platform/realtime/redis-io.adapter';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import { RedisService } from '@/platform/redis/redis.service';
import { type RawBodyRequest, wantsRawBody } from '@/platform/http/raw-body';

const MAX_PARAM_LENGTH = 512;

/** The Fastify adapter (chosen over Express by measurement: docs/performance.md). */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // a hop count is passed as a number; fastify's types only list the other forms
    trustProxy: config.http.trustProxy as boolean | string[],
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
    return503OnClosing: true,
    // `/api/events/` is `/api/events` (the legacy service redirected to it)
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    // the router's own refusals, in the API's error shape (every 4xx has a `detail`)
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const detail = tooLong
        ? `A path parameter is longer than ${MAX_PARAM_LENGTH} characters`
        : error.code === 'FST_ERR_BAD_URL'
          ? 'The URL path is not valid percent-encoded UTF-8'
          : error.message;
      void reply.code(tooLong ? 414 : 400).send({ detail });
    },
    // Every API route answers under /api/... (legacy) and /api/v1/... (same handler):
    // one registration per route, aliased before routing.
    rewriteUrl: (req: IncomingMessage) => rewriteVersionedUrl(req.url ?? '/'),
    logger: false,
  });
}

/** Security headers as the legacy service sent them (helmet options, adapter-neutral). */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      // Swagger UI (/docs) boots from an inline script.
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
  },
  frameguard: { action: 'deny' as const },
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
  xXssProtection: true,
};

/**
 * The headers helmet sends for SECURITY_HEADERS, computed once: they depend on nothing in
 * the request (no CSP nonces), so building helmet's middleware chain per request — what
 * @fastify/helmet does — is pure overhead (bench/HISTORY.md, "Whole-service performance").
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | string[]) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
  };
  let failure: unknown;
  helmet(SECURITY_HEADERS)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => (failure = err));
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}

/** The liveness probe's path: a plain Fastify route (see configureHttpApp). */
const LIVENESS_PATH = '/health/liveness';
const METRICS_PATH = '/metrics';

let livenessAt = 0;
let livenessJson = '';
/**
 * GET /health/liveness body `{status: "alive", timestamp}` as JSON text, built at most
 * once per millisecond (probes and load balancers can call it thousands of times a second).
 */
function livenessBody(now = Date.now()): string {
  if (now !== livenessAt) {
    livenessAt = now;
    livenessJson = JSON.stringify({ status: 'alive', timestamp: new Date(now).toISOString() });
  }
  return livenessJson;
}

const LIVENESS_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * Puts a handler for exactly `GET /health/liveness` in front of the server's request
 * listener (Fastify's; Socket.IO later wraps whatever is there in the same way).
 */
function answerLivenessFirst(server: Server): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === LIVENESS_PATH && req.method === 'GET') {
      const body = livenessBody();
      res.writeHead(200, { ...LIVENESS_HEADERS, 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}

/** Exactly the configured origins (any origin only when `*` is allowed, never in production). */
function corsOptions(config: AppConfig) {
  return {
    origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
    credentials: true,
    // every method the API serves (the plugin's default allows only GET, HEAD and POST, so a
    // browser refused the PUTs and DELETEs of the SPA at the preflight)
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: [
      'X-Request-ID',
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'X-Total-Capped',
      'Content-Disposition',
    ],
    maxAge: 600,
  };
}

/**
 * Passwords are read only from the JSON body: a URL ends up in proxy and server logs and
 * in browser history. The legacy service read change-password's from the query string;
 * such a request is refused, saying what to send instead, before it reaches any route.
 */
const PASSWORD_PARAMS = ['password', 'old_password', 'new_password'];
const PASSWORD_IN_URL =
  'Passwords are accepted only in the JSON body, never in the URL (URLs are logged and kept in browser history): ' +
  'send them as JSON fields, e.g. {"old_password": "…", "new_password": "…"}';

function hasPasswordInQuery(query: unknown): boolean {
  if (!query || typeof query !== 'object') return false;
  for (const name of PASSWORD_PARAMS) if ((query as Record<string, unknown>)[name] !== undefined) return true;
  return false;
}

/**
 * An empty (or all-whitespace) body sent as `application/json` is no body, as it was for
 * the legacy service: fetch wrappers send that header on every request. Anything else
 * goes to Fastify's own JSON parser (prototype-poisoning checks included); a route that
 * needs a body then answers its usual 422 naming the missing fields. A route marked
 * @WithRawBody() also gets the bytes, and a body that is not JSON reaches it unparsed.
 */
function acceptEmptyJsonBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning, onConstructorPoisoning, bodyLimit } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    // @WithRawBody() routes (signed webhooks) keep the bytes and judge a bad body themselves
    const raw = wantsRawBody(request as FastifyRequest);
    if (raw) (request as RawBodyRequest).rawBody = body;
    if (isBlank(body)) return done(null, undefined);
    // Fastify's JSON parser takes the raw Buffer as well as a string (secure-json-parse)
    if (!raw) return parseJson(request as Parameters<typeof parseJson>[0], body as unknown as string, done);
    parseJson(request as Parameters<typeof parseJson>[0], body as unknown as string, (err, value) => {
      if (!err) return done(null, value);
      (request as RawBodyRequest).rawBodyError = err.message;
      done(null, undefined);
    });
  });
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
function isBlank(body: Buffer): boolean {
  for (const byte of body) if (!WHITESPACE.has(byte)) return false;
  return true;
}

/**
 * Everything the HTTP app needs beyond its modules. main.ts and the e2e tests both call
 * this, so tests exercise exactly what production serves.
 */
export async function configureHttpApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(PinoNestLogger));
  app.flushLogs();
  installRequestLogging(app);
  acceptEmptyJsonBodies(app);
  app.enableCors(corsOptions(config));
  await app.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });
  // multipart/form-data (POST /api/events/upload): parts are streamed, never buffered; the
  // route passes its own limits, these are the ceiling for any other multipart request.
  await app.register(multipart, {
    limits: { fileSize: config.storage.maxUploadBytes + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 100 },
  });

  const fastify = app.getHttpAdapter().getInstance();
  const security = securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    // the browser-facing headers on everything but the probe (no browser ever reads it)
    if (request.routeOptions.url !== LIVENESS_PATH) void reply.headers(security);
    void reply.header('X-Request-ID', request.id);
    if (hasPasswordInQuery(request.query)) {
      void reply.code(400).send({ detail: PASSWORD_IN_URL });
      return;
    }
    done();
  });
  // Liveness, probed often and under overload, needs neither guards nor the Nest pipeline
  // nor Fastify's hooks: `GET /health/liveness` is answered by node's HTTP server before
  // Fastify sees it; the Fastify route serves the other forms (HEAD, a query string).
  answerLivenessFirst(fastify.server);
  fastify.get(LIVENESS_PATH, (_request, reply) => {
    void reply.headers(LIVENESS_HEADERS).send(livenessBody());
  });
  // Prometheus text for the scraper: on the public port only with METRICS_PUBLIC (the default
  // outside production); otherwise on METRICS_PORT alone (ApiMetricsServer). A plain route:
  // no auth, no rate limit, not in the OpenAPI document.
  if (config.metrics.public) {
    const metrics = app.get(MetricsService);
    fastify.get(METRICS_PATH, async (_request, reply) => {
      void reply.headers({ 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      return metrics.render();
    });
  }
  if (config.metricsEnabled) {
    const histogram = app.get(MetricsService).httpDuration;
    fastify.addHook('onResponse', (request, reply, done) => {
      // the matched route pattern, never the raw URL (bounded label cardinality); probes are not traffic
      const route = request.routeOptions?.url ?? 'unmatched';
      if (route === LIVENESS_PATH) return done();
      histogram.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  }

  await mountQueueDashboard(app, config.isProduction);

  // Socket.IO on the Redis adapter, same port as HTTP (installed before the gateways exist).
  const realtime = app.get(RealtimeService);
  const io = new RedisIoAdapter(app, config, realtime.channelKey);
  await io.connect(app.get(RedisService));
  realtime.adapterConnected = () => io.connected;
  app.useWebSocketAdapter(io);

  // Swagger UI and the OpenAPI document, unless API_DOCS_ENABLED=false (then 404 there)
  if (config.apiDocsEnabled) mountApiDocs(app, config);
}

/** /docs (Swagger UI) and /openapi.json. */
function mountApiDocs(app: NestFastifyApplication, config: AppConfig): void {
  // Built on the first request to /docs or /openapi.json, not at boot (~150 ms of CPU and its memory).
  const openApiDocument = (): OpenAPIObject => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Floyo API')
        .setDescription('Every /api route is also served under /api/v1.')
        .setVersion(config.version)
        .addBearerAuth()
        .build(),
    );
    document.paths['/health/liveness'] = {
      get: {
        tags: ['health'],
        operationId: 'HealthController_liveness',
        summary: '200 while the process can serve (no dependency is checked)',
        responses: { '200': { description: '{status: "alive", timestamp}' } },
      },
    };
    return withVersionedAliases(document);
  };
  SwaggerModule.setup('docs', app, openApiDocument, { jsonDocumentUrl: 'openapi.json', useGlobalPrefix: false });
}

const V1_PREFIX = /^\/api\/v1(?=\/|\?|$)/;

/** `/api/v1/x?y` → `/api/x?y`; everything else unchanged. */
export function rewriteVersionedUrl(url: string): string {
  return V1_PREFIX.test(url) ? url.replace(V1_PREFIX, '/api') : url;
}

/** The OpenAPI document lists each /api path again under /api/v1. */
function withVersionedAliases(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    paths[path] = item;
    if (!path.startsWith('/api/')) continue;
    const alias = structuredClone(item) as Record<string, { operationId?: string }>;
    for (const op of Object.values(alias)) {
      if (op && typeof op === 'object' && op.operationId) op.operationId = `${op.operationId}_v1`;
    }
    paths[path.replace(/^\/api\//, '/api/v1/')] = alias;
  }
  return { ...document, paths };
}
