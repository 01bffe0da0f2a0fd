import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { StatsService } from './stats.service';

export class StatsResponse {
  total_events: number;
  total_patterns: number;
  total_relationships: number;
  total_suggestions: number;
}

@ApiTags('stats')
@ApiBearerAuth()
@Controller('api/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  async get(@CurrentUser() caller: AuthUser): Promise<StatsResponse> {
    const c = await this.stats.counts(caller.id);
    return {
      total_events: c.events,
      total_patterns: c.patterns,
      total_relationships: c.relationships,
      total_suggestions: c.suggestions,
    };
  }
}
