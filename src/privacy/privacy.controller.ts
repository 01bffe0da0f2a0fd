import { BadRequestException, Controller, Delete, Get, HttpCode, Post, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '../audit/audit-context.decorator';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { MessageResponse } from '../auth/dto/auth.responses';
import { QueryOrBody } from '../common/decorators/query-or-body.decorator';
import { validateInput } from '../common/pipes/validate-input';
import { RouteLimit } from '../common/throttling/route-limit.decorator';
import { AccountDeletionService } from './account-deletion.service';
import { DataExportService } from './data-export.service';
import { DeleteDataDto, RetentionCleanupDto, type RetentionCleanupResponse } from './dto/privacy.dto';
import { RetentionService } from './retention.service';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/data')
export class PrivacyController {
  constructor(
    private readonly exporter: DataExportService,
    private readonly deletion: AccountDeletionService,
    private readonly retention: RetentionService,
  ) {}

  @Get('export')
  export(@CurrentUser() caller: AuthUser, @Auditing() ctx: AuditContext): Promise<StreamableFile> {
    return this.exporter.export(caller.id, ctx);
  }

  @Delete('delete')
  @RouteLimit('data_delete')
  @ApiQuery({ name: 'confirm', type: Boolean, required: true, description: 'must be true (or a JSON body field)' })
  async delete(
    @CurrentUser() caller: AuthUser,
    @QueryOrBody() input: unknown,
    @Auditing() ctx: AuditContext,
  ): Promise<MessageResponse> {
    const dto = await validateInput(DeleteDataDto, input);
    if (dto.confirm !== true) throw new BadRequestException('Deletion must be confirmed with confirm=true');
    await this.deletion.deleteEverything(caller.id, ctx);
    return { message: 'All your data has been deleted and your account anonymised' };
  }

  @Post('retention/cleanup')
  @HttpCode(200)
  @ApiQuery({ name: 'retention_days', type: Number, required: false, description: '≥ 1, default 90 (or a JSON body field)' })
  async cleanup(
    @CurrentUser() caller: AuthUser,
    @QueryOrBody() input: unknown,
    @Auditing() ctx: AuditContext,
  ): Promise<RetentionCleanupResponse> {
    const dto = await validateInput(RetentionCleanupDto, input);
    return this.retention.cleanup(caller.id, dto.retention_days, ctx);
  }
}
