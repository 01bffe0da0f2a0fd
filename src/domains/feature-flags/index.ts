/** The feature-flags domain's public API: other domains and the composition roots import only this. */
export { FeatureFlagOverride } from './entities/feature-flag-override.entity';
export { FeatureFlag } from './entities/feature-flag.entity';
export { FeatureFlagGuard } from './feature-flag.guard';
export { FeatureFlagsModule } from './feature-flags.module';
export { FeatureFlagsService } from './feature-flags.service';
export { flagCacheKey, updateFlag } from './flag-store';
export type { FlagChanges } from './flag-store';
