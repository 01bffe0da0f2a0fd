import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** A request of a route marked @WithRawBody(): its JSON body's bytes, and why they are not JSON (if so). */
export type RawBodyRequest = FastifyRequest & {
  rawBody?: Buffer;
  /** The JSON parser's refusal: such a route answers for itself (e.g. after checking a signature over the bytes). */
  rawBodyError?: string;
};

/**
 * The route also gets its `application/json` body's exact bytes (`request.rawBody`), e.g.
 * to check an HMAC over them, and a body that is not valid JSON reaches it (as
 * `rawBodyError`, body undefined) instead of being refused with a 400 before the route
 * runs. Other routes are unchanged: their bytes are not kept. See acceptEmptyJsonBodies.
 */
export const WithRawBody = () => RouteConfig({ rawBody: true });

export function wantsRawBody(request: FastifyRequest): boolean {
  return (request.routeOptions?.config as { rawBody?: unknown } | undefined)?.rawBody === true;
}
