import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

/**
 * Legacy routes took some arguments as query parameters; clients may send them either
 * way. Merges query and JSON body (body wins) into one object for the DTO pipe.
 */
export const QueryOrBody = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
  return { ...query, ...(body as Record<string, unknown>) };
});

/**
 * Documents a @QueryOrBody() input in the OpenAPI document (Swagger cannot see through a
 * custom parameter decorator): the DTO as an optional JSON body whose fields may also be
 * query parameters.
 */
export const ApiQueryOrBody = (type: new (...args: never[]) => unknown) =>
  ApiBody({ type, required: false, description: 'These fields may also be sent as query parameters (legacy clients do)' });
