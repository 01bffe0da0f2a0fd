import { AppValidationPipe, validationFailed } from './validation.pipe';

const MAX_DEPTH = 16;
const pipe = new AppValidationPipe();

/** True when `value` nests deeper than `max` levels (iterative: safe on hostile input). */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Runs the global validation pipe on `raw` by hand, after refusing absurdly nested input
 * (class-transformer copies nested values recursively and would overflow the stack on
 * a deep enough document, turning a bad request into a 500).
 */
export async function validateInput<T extends object>(metatype: new () => T, raw: unknown, source: 'body' | 'query' = 'body'): Promise<T> {
  if (nestsDeeperThan(raw, MAX_DEPTH)) {
    throw validationFailed([{ loc: [source], msg: `Input must not be nested deeper than ${MAX_DEPTH} levels`, type: 'too_deep' }]);
  }
  return (await pipe.transform(raw, { type: source, metatype })) as T;
}
