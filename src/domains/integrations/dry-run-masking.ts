import { MASK, maskSecretHeaders } from '@/platform/http/outbound/secret-headers';

/** Form fields that are credentials (a token request: the signed JWT assertion, a client secret, a refresh token). */
const SECRET_FIELD = /assertion|secret|token|password|private_key/i;

/**
 * A dry run's records and output with nothing secret left: every secret value of the
 * integration scrubbed wherever it appears (`scrub`), every secret-looking header masked
 * (`headers` objects), and the credential fields of form-encoded bodies masked.
 */
export function maskSecrets(value: unknown, scrub: (s: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, scrub));
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) {
    out[key] = key === 'headers' && isStringMap(v) ? maskSecretHeaders(v) : maskSecrets(v, scrub);
  }
  const headers = object.headers;
  if (isStringMap(headers) && /x-www-form-urlencoded/i.test(headers['content-type'] ?? '') && typeof object.body === 'string') {
    const form = new URLSearchParams(object.body);
    for (const key of [...form.keys()]) if (SECRET_FIELD.test(key)) form.set(key, MASK);
    out.body = scrub(form.toString());
  }
  return out;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
