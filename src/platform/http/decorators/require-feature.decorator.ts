import { SetMetadata } from '@nestjs/common';

export const REQUIRED_FEATURE = 'floyo:requiredFeature';

/**
 * Kill switch: the route answers 503 `{detail: "<feature> is temporarily disabled"}` while
 * `flagName` is off for the caller (the authenticated user and their organizations; routes
 * without a caller, e.g. register, evaluate the flag without a subject). Enforced by the
 * global FeatureFlagGuard (FeatureFlagsModule, registered in AppModule).
 */
export const RequireFeature = (flagName: string) => SetMetadata(REQUIRED_FEATURE, flagName);
