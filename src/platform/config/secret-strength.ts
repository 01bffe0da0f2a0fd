/**
 * Production checks of secret values: a shipped placeholder (a template value, or anything
 * marked as one) and keys too weak to sign tokens or derive encryption keys are refused.
 * Pure functions: env.schema.ts applies them when ENVIRONMENT=production.
 */

/** How to make a good key; every refusal of a key says so. */
const KEY_ADVICE = 'generate one with `openssl rand -hex 32`';

/** Bits of randomness a key must carry at least. */
export const MIN_KEY_BITS = 128;

/**
 * Words that mark a value as a placeholder, in any case: `CHANGE-ME`, `changeme`,
 * `change_me`, `…-change-in-production`, `placeholder`, `example`.
 */
const PLACEHOLDER_MARKER = /change[-_ .]?(me|in[-_ .]?production)|placeholder|example/i;

/** The placeholder word a value contains (as written in it), or null. */
export function placeholderMarker(value: string): string | null {
  return PLACEHOLDER_MARKER.exec(value)?.[0] ?? null;
}

/** Alphabets a key is drawn from, smallest first (the first that holds every character counts). */
const ALPHABETS: [RegExp, number][] = [
  [/^[0-9]+$/, 10],
  [/^[0-9a-f]+$/, 16],
  [/^[0-9A-F]+$/, 16],
  [/^[0-9a-z]+$/, 36],
  [/^[0-9A-Z]+$/, 36],
  [/^[0-9A-Za-z]+$/, 62],
  [/^[0-9A-Za-z+/=_-]+$/, 64], // base64 and base64url (padding does not add an alphabet)
];
const PRINTABLE = 95;

/** Shannon entropy (bits per symbol) of the symbols' observed frequencies. */
function shannon(symbols: readonly (string | number)[]): number {
  const counts = new Map<string | number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let bits = 0;
  for (const c of counts.values()) {
    const p = c / symbols.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A random key's characters, and the steps between neighbouring characters, are spread
 * over its alphabet; a repeated character, a repeated short pattern or a run (`abcdef…`,
 * `0123…`) is not. A share of the entropy a random string of that length and alphabet shows:
 * below it the key is patterned. (A random 32-character hex key shows about 0.9.)
 */
const MIN_SPREAD = 0.75;

export interface KeyStrength {
  /** length × log2(alphabet): the most the key can carry. */
  bits: number;
  /** Repeated or sequential characters (the bits above are then not really there). */
  patterned: boolean;
}

export function keyStrength(value: string): KeyStrength {
  const chars = [...value];
  const alphabet = ALPHABETS.find(([re]) => re.test(value))?.[1] ?? PRINTABLE;
  const bits = chars.length * Math.log2(alphabet);
  if (chars.length < 2) return { bits, patterned: true };
  const codes = chars.map((c) => c.codePointAt(0)!);
  const steps = codes.slice(1).map((c, i) => c - codes[i]);
  // the most a string of this length can show: every symbol different, or the whole alphabet evenly
  const best = (n: number) => Math.log2(Math.min(alphabet, n));
  const patterned = shannon(chars) < MIN_SPREAD * best(chars.length) || shannon(steps) < MIN_SPREAD * best(steps.length);
  return { bits, patterned };
}

/**
 * Why a key (SECRET_KEY, ENCRYPTION_KEY, an old encryption key) must not be used in
 * production, or null. The reason never quotes the key.
 */
export function keyProblem(value: string, knownPlaceholders: readonly string[] = []): string | null {
  const marker = placeholderMarker(value);
  if (marker || knownPlaceholders.includes(value)) {
    return `is a placeholder${marker ? ` (it contains "${marker}")` : ''}, not a secret: ${KEY_ADVICE}`;
  }
  const { bits, patterned } = keyStrength(value);
  if (patterned) return `is too weak: repeated or sequential characters carry little randomness; ${KEY_ADVICE}`;
  if (bits < MIN_KEY_BITS) {
    return `is too weak: about ${Math.floor(bits)} bits of randomness, at least ${MIN_KEY_BITS} needed; ${KEY_ADVICE}`;
  }
  return null;
}

/** Why a credential (a password, an access key) must not be used in production, or null. */
export function credentialProblem(value: string, knownPlaceholders: readonly string[] = []): string | null {
  const marker = placeholderMarker(value);
  if (marker || knownPlaceholders.includes(value)) {
    return `is a placeholder${marker ? ` (it contains "${marker}")` : ''}: set the real credential`;
  }
  return null;
}

/** The password of a URL (`scheme://user:password@host`), decoded, or null. */
export function urlPassword(url: string): string | null {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}
