/** What a masked secret reads as in dry-run records. */
export const MASK = '••••';

/** Header names whose values are credentials (or look like them): never recorded as they are. */
const SECRET_HEADER = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$|token|secret|key|signature|password/i;

function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** The headers with every secret-looking value replaced by "••••" (names kept, lower-cased by the caller). */
export function maskSecretHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? MASK : value]));
}
