import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@/platform/http/decorators/public.decorator';
import { NoRateLimit } from '@/platform/throttling/route-limit.decorator';
import { AppConfig } from '@/platform/config/app-config';

@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller()
export class AppController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  root() {
    return { message: 'Floyo API', version: this.config.version, api_version: 'v1' };
  }
}
