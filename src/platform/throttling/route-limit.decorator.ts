import { SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

export const ROUTE_LIMIT = 'floyo:routeLimit';

/**
 * Stricter per-route limits on top of the global per-minute/per-hour ones. Each name is a
 * named throttler (see throttling.module.ts) that applies only to routes tagged with it.
 */
export type RouteLimitName = 'auth' | 'batch' | 'generate' | 'data_delete';

export const RouteLimit = (name: RouteLimitName) => SetMetadata(ROUTE_LIMIT, name);

/** Throttler names (see throttling.module.ts). `@SkipThrottle()` alone only skips one named "default". */
export const THROTTLERS = ['minute', 'hour', 'auth', 'batch', 'generate', 'data_delete'] as const;

/** Exempts a route or controller from every limit (probes, metrics). */
export const NoRateLimit = () => SkipThrottle(Object.fromEntries(THROTTLERS.map((n) => [n, true])));
