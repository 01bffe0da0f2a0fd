import { type ArgumentMetadata, Injectable, type PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Inputs are plain data: parsed JSON, a parsed query string (Fastify's parser makes it from
 * a constructor whose prototype has no prototype and no `constructor`), or objects built
 * from them. An object of some class is not an input. Nest runs the global pipes on
 * every argument of a gateway handler — `@ConnectedSocket()` arrives as a 'custom'
 * argument whose type tsc emits as `Function` — and walking a live socket as if it were a
 * body ran into the whole server: the 422 reached clients as "Internal server error" on
 * every `subscribe`. Gateways check their messages themselves.
 */
function isInstanceOfClass(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (
    let proto = Object.getPrototypeOf(value) as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    if (Object.hasOwn(proto, 'constructor') && typeof (proto as { constructor: unknown }).constructor === 'function') return true;
  }
  return false;
}

/** Deeper inputs are refused before any recursive processing (DTOs are far shallower). */
const MAX_INPUT_DEPTH = 64;

/**
 * What is wrong with an input before any recursive processing, in one iterative walk (so
 * the check itself cannot overflow the stack): `too_deep` when nested deeper than `max`;
 * else `malformed` when a string (value or key) holds a lone UTF-16 surrogate — valid in
 * JSON text, not in UTF-8: PostgreSQL refuses it in jsonb and text would store U+FFFD.
 */
function inputProblem(value: unknown, max: number): 'too_deep' | 'malformed' | null {
  const stack: [unknown, number][] = [[value, 0]];
  let malformed = false;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return 'too_deep';
    for (const [key, child] of Object.entries(node)) {
      if (!malformed && (!wellFormed(key) || (typeof child === 'string' && !wellFormed(child)))) malformed = true;
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return malformed ? 'malformed' : null;
}

/** Where the first lone surrogate is (inputProblem found one): the 422's `loc`. */
function malformedTextAt(value: unknown): (string | number)[] | null {
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (!wellFormed(node)) return path;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(key) : key];
      if (!wellFormed(key)) return at;
      if (child !== null && (typeof child === 'object' || typeof child === 'string')) stack.push([child, at]);
    }
  }
  return null;
}

/** No lone UTF-16 surrogate (native `String.prototype.isWellFormed`, Node 20). */
export const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Raises the legacy 422: `{detail: [{loc, msg, type}]}`. */
export function validationFailed(issues: ValidationIssue[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail: issues });
}

/** The keys of a merged query-and-body input (@QueryOrBody) that came from the query string: issues name them `query`. */
export const QUERY_KEYS = Symbol('keys taken from the query string');

type WithQueryKeys = { [QUERY_KEYS]?: ReadonlySet<string> };

/** Validated query strings remembered per DTO class. */
const VALID_QUERY_MEMO = 1_000;

/**
 * Global validation: transforms to the DTO class and reports every problem with its
 * location. An unknown body property is an error (a typo must not vanish silently). An
 * unknown parameter of a read's query string (@Query DTOs, all on GET routes) is ignored, as
 * the legacy service (FastAPI) ignored it — clients and proxies add cache busters (`_=…`) and
 * tracking parameters; on a write (@QueryOrBody inputs) it is refused like a body field:
 * `?days=5` must not run a retention clean-up with the default instead.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  /**
   * Query strings that validated, per DTO class: a client polls the same list URL over and
   * over, and class-transformer + class-validator cost more than the rest of a cached
   * read. Only successes are kept (bounded, oldest dropped); each use gets its own copy.
   */
  private readonly validQueries = new Map<unknown, Map<string, object>>();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query' || !metadata.metatype || PRIMITIVES.has(metadata.metatype)) return this.validate(value, metadata);
    const key = JSON.stringify(value ?? null);
    let known = this.validQueries.get(metadata.metatype);
    const hit = known?.get(key);
    if (hit) return Object.assign(Object.create(Object.getPrototypeOf(hit) as object) as object, hit);
    const instance = (await this.validate(value, metadata)) as object;
    if (!known) this.validQueries.set(metadata.metatype, (known = new Map()));
    known.set(key, Object.assign(Object.create(Object.getPrototypeOf(instance) as object) as object, instance));
    if (known.size > VALID_QUERY_MEMO) known.delete(known.keys().next().value!);
    return instance;
  }

  private async validate(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if (!metatype || PRIMITIVES.has(metatype) || isInstanceOfClass(value)) return value;
    const source = type === 'custom' ? 'body' : type === 'param' ? 'path' : type;
    // No body at all reads as an empty object: required fields still fail with their names.
    if (value === undefined && type === 'body') value = {};
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw validationFailed([{ loc: [source], msg: 'Input should be an object', type: 'model_type' }]);
    }
    // class-transformer recurses: an absurdly deep body would overflow the stack (a 500);
    // class-validator's checks (isEmail's URI decoding) can throw on a lone surrogate
    const problem = inputProblem(value, MAX_INPUT_DEPTH);
    if (problem === 'too_deep') {
      throw validationFailed([{ loc: [source], msg: `Input must not be nested deeper than ${MAX_INPUT_DEPTH} levels`, type: 'too_deep' }]);
    }
    if (problem === 'malformed' && source === 'body') {
      const loc = [source, ...(malformedTextAt(value) ?? [])];
      throw validationFailed([{ loc, msg: 'Text must be valid Unicode (a lone UTF-16 surrogate is not)', type: 'string_unicode' }]);
    }
    const fromQuery = type === 'query' ? undefined : (value as WithQueryKeys)[QUERY_KEYS];
    const instance = plainToInstance(metatype as new () => object, value, { enableImplicitConversion: false });
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    const ignored = type === 'query' ? errors.filter((e) => e.constraints?.whitelistValidation) : [];
    for (const e of ignored) delete (instance as Record<string, unknown>)[e.property];
    const problems = errors.filter((e) => !ignored.includes(e));
    if (problems.length) {
      const issues = flatten(problems, [source], value);
      // an input of a @QueryOrBody() parameter sent in the query string is reported there
      for (const issue of issues) if (fromQuery?.has(String(issue.loc[1]))) issue.loc[0] = 'query';
      throw validationFailed(issues);
    }
    return instance;
  }
}

/**
 * class-validator's errors as legacy issues. A property absent from `input` is one
 * `Field required` (type `missing`), as the legacy service reported it, rather than one
 * issue per constraint it would have had to meet.
 */
function flatten(errors: ValidationError[], prefix: (string | number)[], input?: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const given = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : undefined;
  for (const e of errors) {
    const loc = [...prefix, /^\d+$/.test(e.property) ? Number(e.property) : e.property];
    const child = given?.[e.property];
    if (given && child === undefined && !e.children?.length && !e.constraints?.whitelistValidation) {
      out.push({ loc, msg: 'Field required', type: 'missing' });
      continue;
    }
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      if (constraint === 'whitelistValidation') {
        out.push({ loc, msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
      } else {
        out.push({ loc, msg: message, type: constraint });
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, loc, child));
  }
  return out;
}
