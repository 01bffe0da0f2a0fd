import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { runOrExit } from '@/platform/bootstrap/run-or-exit';
import { WorkerModule } from './worker.module';

/** Worker process: an application context running the Bull processors; no HTTP API. */
void runOrExit('worker', async () => {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.init();
  return { app };
});
