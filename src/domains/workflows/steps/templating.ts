/**
 * A small, safe substitution for string fields: `{{trigger.a.b}}` and
 * `{{steps.<id>.output.a.0.b}}`. Paths are looked up as plain data — no expressions, no
 * code. Unknown paths become an empty string. Objects are inserted as JSON.
 */
export interface TemplateContext {
  trigger: unknown;
  steps: Record<string, { output?: unknown }>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const MAX_DEPTH = 32;

export function renderString(template: string, ctx: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => stringify(lookup(ctx, path)));
}

/** Renders every string inside a JSON-like value (object keys are left as they are). */
export function renderDeep<T>(value: T, ctx: TemplateContext, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (typeof value === 'string') return renderString(value, ctx) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ctx, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, ctx, depth + 1);
    return out as T;
  }
  return value;
}

function lookup(ctx: TemplateContext, path: string): unknown {
  const [root, ...rest] = path.split('.');
  if (root !== 'trigger' && root !== 'steps') return undefined;
  let current: unknown = ctx[root];
  for (const key of rest) {
    if (current === null || typeof current !== 'object') return undefined;
    // own properties only: no prototype walking (__proto__, constructor, ...)
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
