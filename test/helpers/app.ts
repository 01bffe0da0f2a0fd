import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { configureHttpApp, createHttpAdapter } from '../../src/platform/bootstrap/http-app';
import { AppConfig } from '../../src/platform/config/app-config';
import { loadConfig } from '../../src/platform/config/load-config';
import { LogMailTransport } from '../../src/platform/mail/log.transport';
import { MailTransport } from '../../src/platform/mail/mail.types';
import { TEST_ENV } from '../setup/test-env';

export interface ServedRoute {
  method: string;
  url: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: () => TestAgent;
  mail: LogMailTransport;
  /** Every route the app registered with Fastify (for the OpenAPI completeness test). */
  routes: ServedRoute[];
  close: () => Promise<void>;
}

/**
 * Boots the real AppModule in-process with the production HTTP setup (same adapter,
 * plugins, filters) against the real test database and Redis. `env` overrides
 * configuration for this app only.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  extra: { controllers?: (new (...args: never[]) => unknown)[] } = {},
): Promise<TestApp> {
  // A private Redis namespace per app: counters (limits, login failures) never leak between tests.
  const config = loadConfig({ REDIS_KEY_PREFIX: `${TEST_ENV.REDIS_KEY_PREFIX}${randomUUID().slice(0, 8)}:`, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule], controllers: extra.controllers ?? [] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), {
    bufferLogs: true,
  });
  await configureHttpApp(app, config);
  const routes: ServedRoute[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url });
    });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const mail = app.get(MailTransport);
  if (!(mail instanceof LogMailTransport)) throw new Error('tests expect the log mail transport');
  return {
    app,
    config,
    http: () => request(app.getHttpServer()),
    mail,
    routes,
    close: () => app.close(),
  };
}
