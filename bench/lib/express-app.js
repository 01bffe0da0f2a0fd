'use strict';
/**
 * The Express-side twin of dist/bootstrap/http-app.js (which is Fastify-specific), used
 * only by the adapter benchmark. Same AppModule, same global guards/pipes/filters/
 * interceptors (they come from the module), and the same HTTP surface:
 *
 *   Fastify (src/platform/bootstrap/http-app.ts)            Express (here)
 *   ---------------------------------------------  -----------------------------------------
 *   FastifyAdapter({ bodyLimit })                  json + urlencoded body parsers, same limit
 *   trustProxy                                     app.set('trust proxy', ...)
 *   genReqId + onRequest hook → X-Request-ID       middleware: req.id + X-Request-ID header
 *   app.enableCors({...})                          the same call (the `cors` package)
 *   @fastify/helmet (helmet 8 underneath)          helmet 8.3.0 with the same options
 *   @fastify/compress threshold 1024               compression, threshold 1024
 *   Swagger /docs + /openapi.json                  the same (without the /api/v1 aliases)
 *   enableShutdownHooks                            the same
 *
 * Skipped: the /api/v1 → /api URL rewrite (the benchmark only uses /api paths).
 *
 * Compatibility shim: AllExceptionsFilter (src/platform/http/filters) answers through the
 * Fastify reply API (`reply.status().headers().send()`, `reply.sent`). Express responses
 * have no `headers()` / `sent`, so without the shim every error response on Express
 * would itself throw. Two members are added once to the app's response prototype (no
 * per-request cost); the benchmark's measured paths never hit the filter anyway.
 */
const path = require('node:path');

/** Creates the Nest application on Express, configured like the Fastify one. */
async function createExpressApp(AppModule, config, dist = path.resolve(__dirname, '..', '..', 'dist')) {
  const { NestFactory } = require('@nestjs/core');
  const { ExpressAdapter } = require('@nestjs/platform-express');
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false, // registered below with the configured limit
  });
  await configureExpressApp(app, config, dist);
  return app;
}

async function configureExpressApp(app, config, dist) {
  const helmet = require('helmet');
  const compression = require('compression');
  const { Logger: PinoNestLogger } = require('nestjs-pino');
  const { DocumentBuilder, SwaggerModule } = require('@nestjs/swagger');
  const { requestIdFrom } = require(path.join(dist, 'platform', 'logging', 'logger.config.js'));

  app.useLogger(app.get(PinoNestLogger));
  app.flushLogs();

  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('trust proxy', config.http.trustProxy);

  // Fastify-reply compatibility for the global exception filter (see header comment).
  if (typeof express.response.headers !== 'function') {
    express.response.headers = function headers(values) {
      this.set(values);
      return this;
    };
  }
  if (!Object.getOwnPropertyDescriptor(express.response, 'sent')) {
    Object.defineProperty(express.response, 'sent', {
      configurable: true,
      get() {
        return this.headersSent;
      },
    });
  }

  // Fastify: genReqId (X-Request-ID in, or a UUID) + the onRequest hook echoing it.
  app.use((req, res, next) => {
    req.id = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-ID', req.id);
    next();
  });

  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimitBytes, extended: true });

  // the same CORS and security-header options as the Fastify setup
  const httpSetup = require(path.join(dist, 'platform', 'bootstrap', 'http-app.js'));
  app.enableCors(httpSetup.corsOptions(config));
  app.use(helmet(httpSetup.SECURITY_HEADERS));
  // @fastify/compress is limited to gzip/deflate; `compression` would also offer br when
  // asked. autocannon sends no Accept-Encoding, so neither side compresses in the runs.
  app.use(compression({ threshold: 1024 }));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Floyo API').setVersion(config.version).addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', useGlobalPrefix: false });
  app.enableShutdownHooks();
}

module.exports = { createExpressApp, configureExpressApp };
