import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { clientInfo } from '@/platform/http/client-info';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { RequireFeature } from '@/platform/http/decorators/require-feature.decorator';
import { RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { ExecuteWorkflowBody } from './dto/execute-workflow.dto';
import { ListExecutionsQuery } from './dto/workflow.dto';
import { ExecutionResponse } from './dto/workflow.responses';
import { ExecutionsService } from './executions.service';
import { WORKFLOW_NOT_FOUND } from './workflows.service';

const workflow = { resource: 'workflow', notFound: WORKFLOW_NOT_FOUND } as const;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/workflows/:id')
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  /**
   * Returns at once with status `pending`; the worker runs it. With `dry_run` the execution
   * is a dry run (nothing is sent; also on an inactive workflow).
   */
  @Post('execute')
  @HttpCode(200)
  @RequireFeature('enable_workflow_execution')
  @RequireOrgPermission('workflow:execute', { from: workflow })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'The same key returns the same execution (dry runs and real runs have their own keys)',
  })
  async execute(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: ExecuteWorkflowBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<{ execution_id: string; status: string; dry_run?: true }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw validationFailed([{ loc: ['header', 'Idempotency-Key'], msg: '1–255 printable ASCII characters', type: 'value_error' }]);
    }
    const execution = await this.executions.execute(user, id, dto.trigger, idempotencyKey, clientInfo(req), dto.dry_run === true);
    // `dry_run` only on a dry run: the answer of a real run stays what it always was
    return { execution_id: execution.id, status: execution.status, ...(execution.dryRun ? { dry_run: true as const } : {}) };
  }

  @Get('executions')
  @RequireOrgPermission('workflow:view', { from: workflow })
  async list(@Param('id') id: string, @Query() query: ListExecutionsQuery): Promise<ExecutionResponse[]> {
    return (await this.executions.list(id, query.limit, query.offset)).map((e) => ExecutionResponse.from(e));
  }

  @Get('executions/:executionId')
  @RequireOrgPermission('workflow:view', { from: workflow })
  async get(
    @Param('id') id: string,
    @Param('executionId', uuidParam('Execution not found')) executionId: string,
  ): Promise<ExecutionResponse> {
    return ExecutionResponse.from(await this.executions.get(id, executionId), true);
  }
}
