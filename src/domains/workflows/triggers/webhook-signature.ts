import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How far a delivery's X-Floyo-Timestamp may be from now (either way), in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,12}$/;

/** A new hook id: 128 random bits, base64url (22 characters). */
export const newHookId = (): string => randomBytes(16).toString('base64url');

/** A new signing secret: `whsec_` + 256 random bits, base64url. The HMAC key is this whole string (UTF-8). */
export const newHookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` (what a sender puts in X-Floyo-Signature). */
export function signature(secret: string, timestamp: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; detail: string };

/**
 * Checks a delivery's headers against the secret: the timestamp must be unix seconds within
 * SIGNATURE_TOLERANCE_SECONDS of `nowMs`, the signature the HMAC of `"<timestamp>.<body>"`
 * (compared in constant time). The refusal says what is wrong, never what was expected.
 */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  header: string | undefined,
  body: Buffer,
  nowMs = Date.now(),
): SignatureCheck {
  if (!timestamp) return { ok: false, detail: 'X-Floyo-Timestamp is missing (unix seconds of the signing time)' };
  if (!header) return { ok: false, detail: 'X-Floyo-Signature is missing (sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">)' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, detail: 'X-Floyo-Timestamp must be unix seconds (an integer)' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      detail: `X-Floyo-Timestamp is outside the ${SIGNATURE_TOLERANCE_SECONDS / 60}-minute window around the server's time (sign each delivery when it is sent)`,
    };
  }
  const given = SIGNATURE.exec(header.trim());
  if (!given) return { ok: false, detail: 'X-Floyo-Signature must be sha256=<64 hex digits>' };
  const expected = Buffer.from(signature(secret, timestamp, body).slice('sha256='.length), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given[1].toLowerCase(), 'hex'))) {
    return { ok: false, detail: 'X-Floyo-Signature does not match the body and timestamp (wrong secret, or the body was changed)' };
  }
  return { ok: true };
}
