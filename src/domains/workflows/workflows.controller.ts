import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { ApiQueryOrBody, QueryOrBody } from '@/platform/http/decorators/query-or-body.decorator';
import { clientInfo } from '@/platform/http/client-info';
import type { Page } from '@/platform/http/pagination';
import { RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { CreateWorkflowDto, ListWorkflowsQuery, RollbackDto, UpdateWorkflowDto } from './dto/workflow.dto';
import { WorkflowHookResponse, WorkflowResponse, WorkflowVersionResponse } from './dto/workflow.responses';
import type { Workflow } from './entities/workflow.entity';
import { WORKFLOW_NOT_FOUND, type WorkflowChange, WorkflowsService } from './workflows.service';

const workflow = { resource: 'workflow', notFound: WORKFLOW_NOT_FOUND } as const;

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @RequireOrgPermission('workflow:create', { from: { body: 'organization_id' } })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateWorkflowDto, @Req() req: FastifyRequest): Promise<WorkflowResponse> {
    return this.withHook(await this.workflows.createWithHook(user, dto, clientInfo(req)));
  }

  /** The workflow with its hook: the issued one (with its secret, shown this once), else the stored one. */
  private async withHook({ workflow: w, issuedHook }: WorkflowChange): Promise<WorkflowResponse> {
    if (issuedHook) return WorkflowResponse.from(w, issuedHook);
    return WorkflowResponse.from(w, (await this.workflows.hooksOf([w.id])).get(w.id) ?? null);
  }

  private async withStoredHook(w: Workflow): Promise<WorkflowResponse> {
    return this.withHook({ workflow: w, issuedHook: null });
  }

  @Get()
  @RequireOrgPermission('workflow:view', { from: { query: 'organization_id' } })
  async list(@CurrentUser() user: AuthUser, @Query() query: ListWorkflowsQuery): Promise<Page<WorkflowResponse>> {
    const result = await this.workflows.list(user, query);
    const hooks = await this.workflows.hooksOf(result.items.map((w) => w.id));
    return { ...result, items: result.items.map((w) => WorkflowResponse.from(w, hooks.get(w.id) ?? null)) };
  }

  @Get(':id')
  @RequireOrgPermission('workflow:view', { from: workflow })
  async get(@Param('id') id: string): Promise<WorkflowResponse> {
    return this.withStoredHook(await this.workflows.get(id));
  }

  @Put(':id')
  @RequireOrgPermission('workflow:update', { from: workflow })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: UpdateWorkflowDto,
    @Req() req: FastifyRequest,
  ): Promise<WorkflowResponse> {
    return this.withHook(await this.workflows.update(user, id, dto, clientInfo(req)));
  }

  @Delete(':id')
  @RequireOrgPermission('workflow:delete', { from: workflow })
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: FastifyRequest) {
    await this.workflows.remove(user, id, clientInfo(req));
    return { message: 'Workflow deleted' };
  }

  @Get(':id/versions')
  @RequireOrgPermission('workflow:view', { from: workflow })
  async versions(@Param('id') id: string): Promise<WorkflowVersionResponse[]> {
    return (await this.workflows.listVersions(id)).map((v) => WorkflowVersionResponse.from(v));
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @ApiQueryOrBody(RollbackDto)
  @RequireOrgPermission('workflow:update', { from: workflow })
  async rollback(@CurrentUser() user: AuthUser, @Param('id') id: string, @QueryOrBody() dto: RollbackDto, @Req() req: FastifyRequest) {
    const { workflow: w, issuedHook } = await this.workflows.rollback(user, id, dto.version_number, clientInfo(req));
    // a restored webhook trigger gets a new hook: its secret is shown here, once
    return { message: `Rolled back to version ${dto.version_number}`, version: w.version, ...(issuedHook ? { hook: issuedHook } : {}) };
  }

  /**
   * A new signing secret for the workflow's webhook trigger, shown this once; deliveries
   * signed with the old one are refused from now on. 404 when the workflow has no webhook trigger.
   */
  @Post(':id/hook/rotate')
  @HttpCode(200)
  @RequireOrgPermission('workflow:update', { from: workflow })
  async rotateHook(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: FastifyRequest): Promise<WorkflowHookResponse> {
    return this.workflows.rotateHook(user, id, clientInfo(req));
  }

  @Post(':id/activate')
  @HttpCode(200)
  @RequireOrgPermission('workflow:update', { from: workflow })
  async activate(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: FastifyRequest): Promise<WorkflowResponse> {
    return this.withStoredHook(await this.workflows.setActive(user, id, true, clientInfo(req)));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @RequireOrgPermission('workflow:update', { from: workflow })
  async deactivate(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: FastifyRequest): Promise<WorkflowResponse> {
    return this.withStoredHook(await this.workflows.setActive(user, id, false, clientInfo(req)));
  }
}
