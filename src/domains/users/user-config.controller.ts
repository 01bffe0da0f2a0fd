import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { validateInput } from '@/platform/http/pipes/validate-input';
import { UpdateUserConfigDto, UserConfigResponse } from './dto/user-config.dto';
import { UserConfigService } from './user-config.service';

@ApiTags('config')
@ApiBearerAuth()
@Controller('api/config')
export class UserConfigController {
  constructor(private readonly configs: UserConfigService) {}

  @Get()
  async get(@CurrentUser() caller: AuthUser): Promise<UserConfigResponse> {
    return UserConfigResponse.from(await this.configs.get(caller.id));
  }

  @Put()
  @ApiBody({ type: UpdateUserConfigDto })
  async update(@CurrentUser() caller: AuthUser, @Body() body: unknown): Promise<UserConfigResponse> {
    const dto = await validateInput(UpdateUserConfigDto, body);
    return UserConfigResponse.from(await this.configs.update(caller.id, dto));
  }
}
