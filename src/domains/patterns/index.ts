/** The patterns domain's public API: other domains and the composition roots import only this. */
export { AnalysisQueue } from './analysis/analysis-queue';
export { ANONYMISED_PATH, anonymisePath } from './analysis/path-anonymizer';
export { PatternAnalysisService } from './analysis/pattern-analysis.service';
export type { AnalysisRun } from './analysis/pattern-analysis.service';
export { PatternEvidenceService } from './analysis/pattern-evidence.service';
export type { SequenceEvidence, UserEvidence } from './analysis/pattern-evidence.service';
export { SEQUENCE_SEPARATOR, describeStep, parseStep, sequenceKey } from './analysis/steps';
export { PatternResponse } from './dto/pattern.dto';
export { PatternAnalysisState } from './entities/pattern-analysis-state.entity';
export { Pattern } from './entities/pattern.entity';
export { Relationship } from './entities/relationship.entity';
export { SequenceCandidate } from './entities/sequence-candidate.entity';
export { TemporalPattern } from './entities/temporal-pattern.entity';
export { fileExtension } from './file-extension';
export { PatternUsageService } from './pattern-usage.service';
export { PatternsModule } from './patterns.module';
export { PatternsService } from './patterns.service';
export type { AnalysisJobData } from './analysis/analysis-queue';
