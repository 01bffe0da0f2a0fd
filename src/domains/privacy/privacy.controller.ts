import { BadRequestException, Controller, Delete, Get, HttpCode, Post, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import type { MessageResponse } from '@/platform/http/responses';
import { ApiQueryOrBody, QueryOrBody } from '@/platform/http/decorators/query-or-body.decorator';
import { RouteLimit } from '@/platform/throttling/route-limit.decorator';
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
  @ApiQueryOrBody(DeleteDataDto)
  async delete(
    @CurrentUser() caller: AuthUser,
    @QueryOrBody() dto: DeleteDataDto,
    @Auditing() ctx: AuditContext,
  ): Promise<MessageResponse> {
    if (dto.confirm !== true) throw new BadRequestException('Deletion must be confirmed with confirm=true');
    await this.deletion.deleteEverything(caller.id, ctx);
    return { message: 'All your data has been deleted and your account anonymised' };
  }

  @Post('retention/cleanup')
  @HttpCode(200)
  @ApiQueryOrBody(RetentionCleanupDto)
  async cleanup(
    @CurrentUser() caller: AuthUser,
    @QueryOrBody() dto: RetentionCleanupDto,
    @Auditing() ctx: AuditContext,
  ): Promise<RetentionCleanupResponse> {
    return this.retention.cleanup(caller.id, dto.retention_days, ctx);
  }
}
