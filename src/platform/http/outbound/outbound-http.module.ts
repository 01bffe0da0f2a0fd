import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppConfig } from '@/platform/config/app-config';
import { SafeHttpClient } from './safe-http';
import { SsrfPolicy } from './ssrf-policy';

/**
 * The one outbound HTTP client of both processes (workflow HTTP steps, integration actions
 * and connection tests): SSRF-guarded with WORKFLOW_HTTP_ALLOWLIST, responses bounded by
 * WORKFLOW_HTTP_MAX_RESPONSE_BYTES.
 */
@Global()
@Module({
  providers: [
    {
      provide: SafeHttpClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new SafeHttpClient(new SsrfPolicy(config.workflows.httpAllowlist), config.workflows.httpMaxResponseBytes),
    },
  ],
  exports: [SafeHttpClient],
})
export class OutboundHttpModule implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(SafeHttpClient, { strict: false }).close();
  }
}
