import { createHash } from 'node:crypto';
import {
  ConflictException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { FeatureFlagsService } from '@/domains/feature-flags';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { HttpErrorWithHeaders, tooManyRequests } from '@/platform/http/http-errors';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { RedisService } from '@/platform/redis/redis.service';
import { ExecutionsRepository } from '../executions.repository';
import { ExecutionsService } from '../executions.service';
import { SIGNATURE_TOLERANCE_SECONDS, verifySignature } from './webhook-signature';
import { WorkflowHooks } from './workflow-hooks';

const EXECUTION_FLAG = 'enable_workflow_execution';
const HOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const UNKNOWN_HOOK = 'Unknown webhook';

/** One delivery to `POST /api/hooks/{hookId}`, as received. */
export interface WebhookDelivery {
  hookId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  /** The body's exact bytes (undefined: no JSON body was sent). */
  rawBody: Buffer | undefined;
  /** The parsed body (undefined when none, or not JSON: `parseError`). */
  body: unknown;
  parseError: string | undefined;
}

/** `webhook:<key>`, or `webhook:sha256:<hex>` when that would not fit the 255-character column. */
const storedKey = (key: string) =>
  `webhook:${key}`.length <= 255 ? `webhook:${key}` : `webhook:sha256:${createHash('sha256').update(key).digest('hex')}`;

/**
 * Signed inbound webhooks: a delivery to a workflow's hook URL starts one run with its JSON
 * body as `{{trigger.body}}`. Checked in this order, each refusal starting nothing: the hook
 * exists (404), its per-minute budget (429 + Retry-After; every request to the hook counts,
 * signed or not), a JSON content type (415) within the size limit (413), the timestamp
 * within 5 minutes and the HMAC-SHA256 signature over `"<timestamp>.<raw body>"` (401), a
 * JSON object or array (422), the workflow active (409) and the kill switch on (503), and
 * the signature not seen before (409, a replay: kept in Redis until the timestamp leaves
 * the window; Redis down → 503, never accepted unchecked). The run is recorded `pending`
 * (trigger_type `webhook`; an Idempotency-Key answers with the same run) and enqueued.
 */
@Injectable()
export class WebhookTriggersService {
  private readonly logger = new Logger(WebhookTriggersService.name);

  constructor(
    private readonly hooks: WorkflowHooks,
    private readonly executions: ExecutionsRepository,
    private readonly runs: ExecutionsService,
    private readonly transactions: Transactions,
    private readonly flags: FeatureFlagsService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  async receive(d: WebhookDelivery): Promise<{ execution_id: string; status: string }> {
    const hook = HOOK_ID.test(d.hookId) ? await this.hooks.forDelivery(d.hookId) : null;
    if (!hook) throw new NotFoundException(UNKNOWN_HOOK);
    await this.countAgainstLimit(
      hook.id,
      Math.min(hook.trigger.max_runs_per_minute ?? Infinity, this.config.workflows.webhookMaxPerMinute),
    );

    if (!d.contentType || !JSON_TYPE.test(d.contentType)) {
      throw new UnsupportedMediaTypeException({ detail: 'A webhook body must be JSON (Content-Type: application/json)' });
    }
    const raw = d.rawBody ?? Buffer.alloc(0);
    const max = this.config.workflows.webhookMaxBodyBytes;
    if (raw.length > max)
      throw new PayloadTooLargeException({ detail: `The body has ${raw.length} bytes; a webhook accepts at most ${max}` });
    if (d.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(d.idempotencyKey)) {
      throw validationFailed([{ loc: ['header', 'Idempotency-Key'], msg: '1–255 printable ASCII characters', type: 'value_error' }]);
    }

    const check = verifySignature(hook.secret, d.timestamp, d.signature, raw);
    if (!check.ok) throw new UnauthorizedException({ detail: check.detail });

    if (d.parseError !== undefined) throw validationFailed([{ loc: ['body'], msg: d.parseError, type: 'json_invalid' }]);
    if (typeof d.body !== 'object' || d.body === null) {
      throw validationFailed([{ loc: ['body'], msg: 'the body must be a JSON object or array', type: 'type_error' }]);
    }
    if (!hook.isActive) throw new ConflictException('Workflow is not active');
    if (!(await this.flags.isEnabled(EXECUTION_FLAG, { userId: hook.userId }, { whenMissing: true }))) {
      throw new ServiceUnavailableException({ detail: 'Workflow execution is temporarily disabled' });
    }

    const seen = await this.markSeen(hook.id, d.timestamp!, d.signature!);
    try {
      const execution = await this.transactions.run(async (tx) => {
        const key = d.idempotencyKey === undefined ? null : storedKey(d.idempotencyKey);
        const data = { type: 'webhook', hook_id: hook.id, body: d.body, received_at: new Date().toISOString() };
        const id = await this.executions.insertWebhook(hook.workflowId, key, data, tx);
        // the same Idempotency-Key again: the run it started (whatever its state now)
        return id ? { id, status: 'pending' } : this.executions.getByIdempotencyKey(hook.workflowId, key!, false, tx);
      });
      if (execution.status === 'pending') await this.runs.enqueue(execution.id);
      return { execution_id: execution.id, status: execution.status };
    } catch (err) {
      // nothing was started: the same signed delivery may be sent again
      await this.redis.client.del(seen).catch(() => undefined);
      throw err;
    }
  }

  /** Fixed one-minute windows per hook (Redis); fails open, like the HTTP rate limits. */
  private async countAgainstLimit(hookId: string, limit: number): Promise<void> {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const key = this.redis.key('webhook', 'rate', hookId, window);
    let count: number;
    try {
      const replies = await this.redis.client.multi().incr(key).expire(key, 61).exec();
      count = Number(replies?.[0]?.[1] ?? 0);
    } catch (err) {
      this.logger.warn(`webhook rate limit unavailable, failing open: ${(err as Error).message}`);
      return;
    }
    if (count > limit) {
      throw tooManyRequests(`This webhook accepts ${limit} requests per minute; try again later`, ((window + 1) * 60_000 - now) / 1000);
    }
  }

  /**
   * Records the signature as used (SET NX) until its timestamp leaves the window; a second
   * use is a replay (409). Without Redis a replay cannot be ruled out: 503, the sender retries.
   */
  private async markSeen(hookId: string, timestamp: string, signature: string): Promise<string> {
    const key = this.redis.key(
      'webhook',
      'seen',
      hookId,
      signature
        .trim()
        .toLowerCase()
        .replace(/^sha256=/, ''),
    );
    const ttl = Math.max(1, Math.ceil(Number(timestamp) + SIGNATURE_TOLERANCE_SECONDS - Date.now() / 1000)) + 1;
    let set: string | null;
    try {
      set = await this.redis.client.set(key, '1', 'EX', ttl, 'NX');
    } catch (err) {
      this.logger.warn(`webhook replay check unavailable: ${(err as Error).message}`);
      throw new HttpErrorWithHeaders(
        'The replay check is temporarily unavailable; send the delivery again',
        HttpStatus.SERVICE_UNAVAILABLE,
        {
          'Retry-After': '5',
        },
      );
    }
    if (set !== 'OK') {
      throw new ConflictException('This signature was used before (a replayed delivery): sign each delivery with a fresh timestamp');
    }
    return key;
  }
}
