import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureHttpApp, createHttpAdapter } from './bootstrap/http-app';
import { drainFor, runOrExit } from './bootstrap/run-or-exit';
import { ReadinessState } from './health/readiness.state';

/** API process: HTTP + Socket.IO on PORT. */
void runOrExit('api', async (config) => {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  await configureHttpApp(app, config);
  await app.listen(config.http.port, config.http.host);
  const readiness = app.get(ReadinessState);
  return { app, drain: drainFor(config.http.shutdownDrainMs, () => readiness.beginShutdown()) };
});
