import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureHttpApp, createHttpAdapter } from '@/platform/bootstrap/http-app';
import { drainFor, runOrExit } from '@/platform/bootstrap/run-or-exit';
import { startLivenessThread } from '@/platform/health/liveness-thread';
import { ReadinessState } from '@/platform/health/readiness.state';

/** API process: HTTP + Socket.IO on PORT; GET /health/liveness also on LIVENESS_PORT (its own thread). */
void runOrExit('api', async (config) => {
  const { livenessPort, livenessMaxStallMs, host } = config.http;
  const logger = new Logger('Liveness');
  // started beside the boot (its own thread); the boot fails if it cannot listen
  const liveness = livenessPort
    ? startLivenessThread({
        port: livenessPort,
        host,
        maxStallMs: livenessMaxStallMs,
        onFailure: (err) => logger.error(`liveness listener stopped: ${err.message}; probes of :${livenessPort} now fail`),
      })
    : undefined;
  liveness?.catch(() => undefined); // awaited below
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  await configureHttpApp(app, config);
  await app.listen(config.http.port, config.http.host);
  if (liveness) {
    await liveness;
    logger.log(`GET /health/liveness on :${livenessPort} (own thread; 503 after ${livenessMaxStallMs} ms without an event-loop turn)`);
  }
  const readiness = app.get(ReadinessState);
  return { app, drain: drainFor(config.http.shutdownDrainMs, () => readiness.beginShutdown()) };
});
