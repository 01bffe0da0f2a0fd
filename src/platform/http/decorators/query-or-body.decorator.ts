import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { QUERY_KEYS } from '../pipes/validation.pipe';

/**
 * Legacy routes took some arguments as query parameters (the `*q*` inputs); clients send
 * them either way. The one mechanism for those inputs: `@QueryOrBody()` on the parameter
 * (query and JSON body merged, body wins, then validated against the parameter's DTO like a
 * body — unknown fields refused — with each issue located where its value came from) and `@ApiQueryOrBody(Dto)` on the handler (documents each field as an
 * optional query parameter and the DTO as an optional JSON body).
 */
export const QueryOrBody = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
  const merged = { ...query, ...body };
  Object.defineProperty(merged, QUERY_KEYS, { value: new Set(Object.keys(query).filter((k) => !Object.hasOwn(body, k))) });
  return merged;
});

// @nestjs/swagger's metadata keys for a DTO's documented properties
const PROPERTY_NAMES = 'swagger/apiModelPropertiesArray';
const PROPERTY = 'swagger/apiModelProperties';

interface PropertyDoc {
  type?: unknown;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  example?: unknown;
}

/** Documents a @QueryOrBody() input: every DTO field as a query parameter, the DTO as an optional JSON body. */
export const ApiQueryOrBody = (type: new (...args: never[]) => unknown) => {
  const names = ((Reflect.getMetadata(PROPERTY_NAMES, type.prototype) ?? []) as string[]).map((n) => n.replace(/^:/, ''));
  const queries = names.map((name) => {
    const doc = (Reflect.getMetadata(PROPERTY, type.prototype, name) ?? {}) as PropertyDoc;
    return ApiQuery({
      name,
      required: false,
      type: (doc.type ?? String) as never,
      description: `${doc.description ? `${doc.description}. ` : ''}May be sent as a query parameter or as a JSON body field (the body wins).`,
      ...(doc.enum ? { enum: doc.enum as never } : {}),
      ...(doc.minimum !== undefined ? { minimum: doc.minimum } : {}),
      ...(doc.maximum !== undefined ? { maximum: doc.maximum } : {}),
      ...(doc.example !== undefined ? { example: doc.example } : {}),
    });
  });
  return applyDecorators(
    ApiBody({ type, required: false, description: 'These fields may also be sent as query parameters (legacy clients do)' }),
    ...queries,
  );
};
