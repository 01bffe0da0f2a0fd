import { ValidateBy, type ValidationOptions } from 'class-validator';
import { wellFormed } from '@/platform/http/pipes/validation.pipe';

const UNICODE = 'must be valid Unicode (a lone UTF-16 surrogate is not)';

export const DETAILS_MAX_BYTES = 16 * 1024;
export const DETAILS_MAX_DEPTH = 8;

/**
 * Why a JSON object is not acceptable as event `details`, or null: deeper than
 * `maxDepth` levels, over `maxBytes` serialised, or holding a NUL character or a lone
 * UTF-16 surrogate (which PostgreSQL's jsonb cannot store). Walks iteratively and stops at the first problem,
 * so a hostile document costs at most its own size.
 */
export function jsonProblem(value: unknown, maxBytes = DETAILS_MAX_BYTES, maxDepth = DETAILS_MAX_DEPTH): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return 'must not contain NUL characters';
      if (!wellFormed(node)) return UNICODE;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return `must not be nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node) stack.push([child, depth + 1]);
    } else {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes('\u0000')) return 'must not contain NUL characters';
        if (!wellFormed(key)) return UNICODE;
        stack.push([child, depth + 1]);
      }
    }
  }
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > maxBytes) return `must be at most ${maxBytes} bytes as JSON`;
  return null;
}

/** A JSON object within the size and depth limits (see jsonProblem). */
export const BoundedJson = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'boundedJson',
      validator: {
        validate: (value: unknown) => value === null || value === undefined || jsonProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${jsonProblem(args?.value) ?? 'is not acceptable'}`,
      },
    },
    options,
  );
