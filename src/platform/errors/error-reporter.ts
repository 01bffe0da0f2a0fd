import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { redactBreadcrumb, redactEvent } from './sentry-redaction';

type SentryModule = typeof import('@sentry/nestjs');

/**
 * Sends unexpected errors (5xx, failed jobs) to Sentry when SENTRY_DSN is set. Without
 * it the Sentry SDK is never even loaded. Reporting never throws. Events are redacted like
 * the logs (sentry-redaction.ts).
 */
@Injectable()
export class ErrorReporter implements OnApplicationShutdown {
  private readonly logger = new Logger(ErrorReporter.name);
  private sentry?: SentryModule;

  constructor(config: AppConfig) {
    if (!config.sentryDsn) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.sentry = require('@sentry/nestjs') as SentryModule;
    this.sentry.init({
      dsn: config.sentryDsn,
      environment: config.env,
      release: `floyo-backend@${config.version}`,
      tracesSampleRate: 0,
      sendDefaultPii: false,
      beforeSend: redactEvent,
      beforeBreadcrumb: redactBreadcrumb,
    });
    this.logger.log('error reporting to Sentry enabled');
  }

  get enabled(): boolean {
    return !!this.sentry;
  }

  capture(err: unknown, tags: Record<string, string | undefined> = {}): void {
    if (!this.sentry) return;
    try {
      this.sentry.captureException(err, { tags: Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) });
    } catch (e) {
      this.logger.warn(`could not report to Sentry: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sentry?.close(2_000).catch(() => undefined);
  }
}
