import { Controller, Get, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '@/platform/http/decorators/public.decorator';
import { NoRateLimit } from '@/platform/throttling/route-limit.decorator';
import { AppConfig } from '@/platform/config/app-config';
import { DatabaseRepository } from '@/platform/database/database.repository';
import { HealthIndicators } from './health.indicators';
import { ReadinessState } from './readiness.state';

type CheckState = 'ok' | 'warning' | 'error';

/** Health routes for probes and operators: never rate limited, never authenticated. */
@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
    private readonly readiness: ReadinessState,
    private readonly config: AppConfig,
    private readonly database: DatabaseRepository,
  ) {}

  @Get()
  basic() {
    return { status: 'healthy', timestamp: new Date().toISOString(), version: this.config.version };
  }

  // GET /health/liveness is a plain Fastify route (platform/bootstrap/http-app.ts): no guards, no pipeline.

  @Get('readiness')
  @HttpCode(200)
  async readinessCheck(@Res({ passthrough: true }) reply: FastifyReply) {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.indicators.database(),
        () => this.indicators.redisPing(),
        () => this.indicators.databasePool(),
        () => this.indicators.migrations(),
        () => this.indicators.realtimeAdapter(),
        () => this.indicators.databaseBreaker(),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
    }
    const checks = summarise(result);
    const failing = Object.entries(checks)
      .filter(([, v]) => v === 'error')
      .map(([k]) => k);
    if (this.readiness.shuttingDown) failing.push('shutting_down');
    const ready = failing.length === 0;
    const body = {
      status: ready ? 'ready' : 'not_ready',
      timestamp: new Date().toISOString(),
      checks,
      details: result.details,
      ...(ready ? {} : { detail: `Not ready: ${failing.join(', ')}` }),
    };
    if (!ready) void reply.status(503);
    return body;
  }

  @Get('migrations')
  async migrations() {
    const { applied, pending } = await this.database.migrationStatus();
    return { status: pending.length ? 'pending' : 'up_to_date', applied, pending };
  }
}

function summarise(result: HealthCheckResult): Record<string, CheckState> {
  const out: Record<string, CheckState> = {};
  for (const [key, value] of Object.entries(result.details ?? {})) {
    out[key] = value.status === 'up' ? 'ok' : value.status === 'degraded' ? 'warning' : 'error';
  }
  return out;
}
