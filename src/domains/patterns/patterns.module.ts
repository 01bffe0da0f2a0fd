import { Module } from '@nestjs/common';
import { CacheModule } from '@/platform/cache/cache.module';
import { StatsModule } from '@/domains/stats';
import { AnalysisPositions } from './analysis/analysis-positions';
import { AnalysisQueue } from './analysis/analysis-queue';
import { AnalysisRepository } from './analysis/analysis.repository';
import { PatternAnalysisService } from './analysis/pattern-analysis.service';
import { PatternEvidenceRepository } from './analysis/pattern-evidence.repository';
import { PatternEvidenceService } from './analysis/pattern-evidence.service';
import { PatternsController } from './patterns.controller';
import { PatternsRepository } from './patterns.repository';
import { PatternsService } from './patterns.service';

/**
 * Per-user patterns: extension patterns kept current at ingest (folded by foldUsages,
 * upserted in the events' ingest statement), listed and exported; and the incremental
 * analysis behind pattern intelligence (relationships, temporal patterns, histograms)
 * with its scheduling (AnalysisQueue).
 */
@Module({
  imports: [StatsModule, CacheModule],
  controllers: [PatternsController],
  providers: [
    PatternsService,
    PatternAnalysisService,
    PatternEvidenceService,
    AnalysisPositions,
    AnalysisQueue,
    PatternsRepository,
    AnalysisRepository,
    PatternEvidenceRepository,
  ],
  exports: [PatternsService, PatternAnalysisService, PatternEvidenceService, AnalysisQueue],
})
export class PatternsModule {}
