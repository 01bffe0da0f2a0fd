import { Body, Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@/platform/http/decorators/public.decorator';
import { type RawBodyRequest, WithRawBody } from '@/platform/http/raw-body';
import { WebhookTriggersService } from './triggers/webhook-triggers.service';

class WebhookAccepted {
  /** The run this delivery started (or, with an Idempotency-Key seen before, the run that key started). */
  execution_id: string;
  /** `pending` for a new run; the run's current status for a repeated Idempotency-Key. */
  status: string;
}

/**
 * Inbound webhooks (docs/workflows.md, "Webhook triggers"): no bearer token — a delivery is
 * authenticated by its HMAC signature with the hook's secret.
 */
@ApiTags('workflows')
@Controller('api/hooks')
export class HooksController {
  constructor(private readonly webhooks: WebhookTriggersService) {}

  @Post(':hookId')
  @Public()
  @WithRawBody()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Starts a run of the webhook-triggered workflow with the JSON body as {{trigger.body}}',
    description:
      'Signed like Stripe webhooks: X-Floyo-Signature is `sha256=` + the hex HMAC-SHA256 of `"<X-Floyo-Timestamp>.<raw body>"` with the ' +
      "hook's secret. The timestamp must be within 5 minutes of the server's time, and each signature is accepted once. " +
      'Every refusal starts nothing.',
  })
  @ApiHeader({ name: 'X-Floyo-Timestamp', required: true, description: 'Unix seconds when the delivery was signed (±5 minutes)' })
  @ApiHeader({ name: 'X-Floyo-Signature', required: true, description: 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'The same key again answers with the run the first delivery started',
  })
  @ApiBody({ description: 'Any JSON object or array (at most WORKFLOW_WEBHOOK_MAX_BODY_BYTES, 256 KiB by default)', required: true })
  @ApiAcceptedResponse({ type: WebhookAccepted, description: 'The run was recorded `pending` and handed to the worker' })
  @ApiResponse({ status: 401, description: 'Signature or timestamp missing or wrong, or the timestamp outside the 5-minute window' })
  @ApiResponse({ status: 404, description: 'No such hook (unknown id, or the workflow lost its webhook trigger)' })
  @ApiResponse({ status: 409, description: 'The workflow is not active, or the signature was used before (a replay)' })
  @ApiResponse({ status: 413, description: 'The body is larger than the limit' })
  @ApiResponse({ status: 415, description: 'The body is not application/json' })
  @ApiResponse({ status: 422, description: 'The body is not valid JSON, not an object or array, or the Idempotency-Key is malformed' })
  @ApiResponse({ status: 429, description: 'More requests to this hook within the minute than it accepts (Retry-After)' })
  @ApiResponse({ status: 503, description: 'Workflow execution is switched off (kill switch), or the replay check is unavailable' })
  async deliver(
    @Param('hookId') hookId: string,
    @Headers('x-floyo-timestamp') timestamp: string | undefined,
    @Headers('x-floyo-signature') signature: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Req() req: RawBodyRequest,
  ): Promise<WebhookAccepted> {
    return this.webhooks.receive({
      hookId,
      timestamp,
      signature,
      idempotencyKey,
      contentType,
      rawBody: req.rawBody,
      body,
      parseError: req.rawBodyError,
    });
  }
}
