import { createHmac } from 'node:crypto';
import { fileExtension } from '../file-extension';

/** `anon/3fa9c2d1e0b4.csv`: what an anonymised path looks like (the extension is kept, nothing else). */
export const ANONYMISED_PATH = /^anon\/[0-9a-f]{12}(\.[^/\\]*)?$/;

/**
 * With `privacy_config.anonymize_paths`, every path the analysis stores is replaced by a
 * keyed hash: HMAC-SHA256 under a random per-user salt, so one file always maps to the
 * same token (relationships and example files still aggregate), tokens of different
 * users never match, and the token cannot be reversed without the salt (a plain hash of
 * a guessable path could be).
 */
export function anonymisePath(salt: string, path: string): string {
  if (ANONYMISED_PATH.test(path)) return path;
  const digest = createHmac('sha256', salt).update(path).digest('hex').slice(0, 12);
  return `anon/${digest}${fileExtension(path) ?? ''}`;
}

export type PathView = (path: string) => string;

export const pathView = (anonymise: boolean, salt: string): PathView => (anonymise ? (p) => anonymisePath(salt, p) : (p) => p);
