/** The feature-flags domain's public API: other domains and the composition roots import only this. */
export { FeatureFlagOverride } from './entities/feature-flag-override.entity';
export { FeatureFlag } from './entities/feature-flag.entity';
export { FeatureFlagGuard } from './feature-flag.guard';
export { FeatureFlagsModule } from './feature-flags.module';
export { FeatureFlagsRepository } from './feature-flags.repository';
export { FeatureFlagsService } from './feature-flags.service';
export { flagCacheKey } from './flag-cache-keys';
export { updateFlag } from './flag-update';
export type { FlagChanges } from './flag-update';
