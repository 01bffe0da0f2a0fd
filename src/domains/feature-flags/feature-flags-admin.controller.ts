import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { MessageResponse } from '@/platform/http/responses';
import {
  CreateFeatureFlagDto,
  FeatureFlagOverrideResponse,
  FeatureFlagResponse,
  SetOverrideDto,
  UpdateFeatureFlagDto,
} from './dto/feature-flag.dto';
import { FeatureFlagAdminService } from './feature-flag-admin.service';
import { SuperuserGuard } from './superuser.guard';

@ApiTags('admin: feature flags')
@ApiBearerAuth()
@UseGuards(SuperuserGuard)
@Controller('api/admin/feature-flags')
export class FeatureFlagsAdminController {
  constructor(private readonly admin: FeatureFlagAdminService) {}

  @Get()
  async list(): Promise<FeatureFlagResponse[]> {
    const rows = await this.admin.list();
    return rows.map((r) => FeatureFlagResponse.from(r.flag, { overrideCount: r.overrideCount }));
  }

  @Post()
  async create(@Body() dto: CreateFeatureFlagDto, @Auditing() actor: AuditContext): Promise<FeatureFlagResponse> {
    return FeatureFlagResponse.from(await this.admin.create(dto, actor));
  }

  @Get(':name')
  async get(@Param('name') name: string): Promise<FeatureFlagResponse> {
    const { flag, overrides } = await this.admin.get(name);
    return FeatureFlagResponse.from(flag, { overrides });
  }

  @Put(':name')
  async update(
    @Param('name') name: string,
    @Body() dto: UpdateFeatureFlagDto,
    @Auditing() actor: AuditContext,
  ): Promise<FeatureFlagResponse> {
    return FeatureFlagResponse.from(await this.admin.update(name, dto, actor));
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Auditing() actor: AuditContext): Promise<MessageResponse> {
    await this.admin.remove(name, actor);
    return { message: 'Feature flag deleted' };
  }

  @Get(':name/overrides')
  async overrides(@Param('name') name: string): Promise<FeatureFlagOverrideResponse[]> {
    return (await this.admin.get(name)).overrides.map(FeatureFlagOverrideResponse.from);
  }

  @Put(':name/overrides')
  @HttpCode(200)
  async setOverride(
    @Param('name') name: string,
    @Body() dto: SetOverrideDto,
    @Auditing() actor: AuditContext,
  ): Promise<FeatureFlagOverrideResponse> {
    return FeatureFlagOverrideResponse.from(await this.admin.setOverride(name, dto, actor));
  }

  @Delete(':name/overrides/:overrideId')
  async removeOverride(
    @Param('name') name: string,
    @Param('overrideId', uuidParam('Override not found')) overrideId: string,
    @Auditing() actor: AuditContext,
  ): Promise<MessageResponse> {
    await this.admin.removeOverride(name, overrideId, actor);
    return { message: 'Override deleted' };
  }
}
