/**
 * The Redis keys of the flag caches, shared by the API's services and the operators' CLI
 * (which runs without Nest and drops a changed flag's snapshot).
 */

/** Redis key of a flag's cached snapshot (`<REDIS_KEY_PREFIX>ff:flag:<name>`). */
export const flagCacheKey = (prefix: string, name: string) => `${prefix}ff:flag:${name}`;
/** Redis key of a user's cached organization ids (needed only for flags with org overrides). */
export const memberOrgsCacheKey = (prefix: string, userId: string) => `${prefix}ff:orgs:${userId}`;
