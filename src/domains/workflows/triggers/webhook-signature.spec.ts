import { newHookId, newHookSecret, signature, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = Buffer.from('{"name":"ana"}');
  const now = 1_800_000_000_000;
  const ts = String(now / 1000);

  it('accepts the HMAC of "<timestamp>.<body>" within the window', () => {
    expect(verifySignature(secret, ts, signature(secret, ts, body), body, now)).toEqual({ ok: true });
    expect(verifySignature(secret, String(now / 1000 - 299), signature(secret, String(now / 1000 - 299), body), body, now).ok).toBe(true);
  });

  it('refuses another secret, another body, another timestamp, a stale or missing header', () => {
    const good = signature(secret, ts, body);
    expect(verifySignature('whsec_other', ts, good, body, now).ok).toBe(false);
    expect(verifySignature(secret, ts, good, Buffer.from('{"name":"bob"}'), now).ok).toBe(false);
    expect(verifySignature(secret, String(now / 1000 + 1), good, body, now).ok).toBe(false);
    const old = String(now / 1000 - 301);
    const stale = verifySignature(secret, old, signature(secret, old, body), body, now);
    expect(stale).toEqual({ ok: false, detail: expect.stringContaining('outside the 5-minute window') });
    expect(verifySignature(secret, undefined, good, body, now)).toEqual({
      ok: false,
      detail: expect.stringContaining('X-Floyo-Timestamp'),
    });
    expect(verifySignature(secret, ts, undefined, body, now)).toEqual({ ok: false, detail: expect.stringContaining('X-Floyo-Signature') });
    expect(verifySignature(secret, ts, 'sha256=abc', body, now).ok).toBe(false);
    expect(verifySignature(secret, '1e9', good, body, now).ok).toBe(false);
  });

  it('makes unguessable ids and secrets', () => {
    expect(newHookId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newHookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newHookId()).not.toBe(newHookId());
  });
});
