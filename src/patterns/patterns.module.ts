import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from '../cache/cache.module';
import { StatsModule } from '../stats/stats.module';
import { Pattern } from './entities/pattern.entity';
import { PatternUsageService } from './pattern-usage.service';
import { PatternsController } from './patterns.controller';
import { PatternsService } from './patterns.service';

/** Per-user extension patterns: kept current at ingest (PatternUsageService), listed, exported. */
@Module({
  imports: [TypeOrmModule.forFeature([Pattern]), StatsModule, CacheModule],
  controllers: [PatternsController],
  providers: [PatternsService, PatternUsageService],
  exports: [PatternsService, PatternUsageService],
})
export class PatternsModule {}
