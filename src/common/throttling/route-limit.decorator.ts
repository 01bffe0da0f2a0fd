import { SetMetadata } from '@nestjs/common';

export const ROUTE_LIMIT = 'floyo:routeLimit';

/**
 * Stricter per-route limits on top of the global per-minute/per-hour ones. Each name is a
 * named throttler (see throttling.module.ts) that applies only to routes tagged with it.
 */
export type RouteLimitName = 'auth';

export const RouteLimit = (name: RouteLimitName) => SetMetadata(ROUTE_LIMIT, name);
