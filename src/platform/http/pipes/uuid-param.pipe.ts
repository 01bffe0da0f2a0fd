import { NotFoundException, ParseUUIDPipe } from '@nestjs/common';

/**
 * A path id that must be a UUID. Anything else cannot name a resource, so it answers
 * exactly like a missing one: 404 with the resource's own `detail` (never a 500, never a
 * framework message).
 */
export const uuidParam = (notFound: string) => new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException(notFound) });
