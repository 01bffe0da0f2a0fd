import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';

export type JsonSchema = Record<string, unknown>;

/**
 * Validation of integration configs against each connector's JSON Schema (Ajv, draft-07,
 * all errors, formats from ajv-formats, defaults filled in). Compiled once per schema.
 */
export class ConfigSchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, verbose: true });
    addFormats(this.ajv);
  }

  /** Validates (and fills defaults into) `config`; returns the problems located under `loc`. */
  validate(cacheKey: string, schema: JsonSchema, config: Record<string, unknown>, loc: (string | number)[]): ValidationIssue[] {
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(cacheKey, validate);
    }
    if (validate(config)) return [];
    const errors = validate.errors ?? [];
    // a oneOf failure is reported once, in words, not as every branch's own errors
    const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
    return (
      errors
        // an if/then/else failure is also reported by the branch's own errors (the field it needs)
        .filter((e) => e.keyword !== 'if')
        .filter((e) => !oneOfs.some((o) => o !== e && e.schemaPath.startsWith(`${o.schemaPath}/`)))
        .map((e) => (e.keyword === 'oneOf' ? { ...e, message: oneOfMessage(e) } : e))
        .map((e) => toIssue(e, loc))
    );
  }
}

/** `needs exactly one of: event_id, latest_upload, text` when the branches each require one property. */
function oneOfMessage(e: ErrorObject): string {
  const branches = Array.isArray(e.schema) ? (e.schema as { required?: string[] }[]) : [];
  const names = branches.map((b) => (b.required?.length === 1 ? b.required[0] : null));
  if (names.length && names.every(Boolean)) return `needs exactly one of: ${names.join(', ')}`;
  return e.message ?? 'must match exactly one schema';
}

function toIssue(e: ErrorObject, loc: (string | number)[]): ValidationIssue {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const at = [...loc, ...path];
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    return { loc: [...at, String(params.missingProperty)], msg: 'Field required', type: 'missing' };
  }
  if (e.keyword === 'additionalProperties') {
    return { loc: [...at, String(params.additionalProperty)], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' };
  }
  return { loc: at, msg: e.message ?? 'Invalid value', type: e.keyword };
}

/** Top-level properties the schema marks `writeOnly: true`: secrets, encrypted and never returned. */
export function secretFields(schema: JsonSchema): Set<string> {
  const properties = (schema.properties ?? {}) as Record<string, { writeOnly?: boolean }>;
  return new Set(
    Object.entries(properties)
      .filter(([, p]) => p?.writeOnly === true)
      .map(([name]) => name),
  );
}

/** `"••••abcd"` for long secrets; short ones show nothing of themselves. */
export function maskSecret(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length >= 12 ? `••••${text.slice(-4)}` : '••••';
}
