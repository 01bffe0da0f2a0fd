import { deriveKey, SecretBox, SecretDecryptionError } from './secret-box';

const KEY_A = 'first-key-of-at-least-thirty-two-characters';
const KEY_B = 'second-key-of-at-least-thirty-two-characters';

describe('SecretBox (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time and no plaintext in the envelope', () => {
    const box = new SecretBox(KEY_A);
    const a = box.encrypt('ghp_supersecret', 'row:token');
    const b = box.encrypt('ghp_supersecret', 'row:token');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(JSON.stringify(a)).not.toContain('supersecret');
    expect(box.decrypt(a, 'row:token')).toBe('ghp_supersecret');
  });

  it('tags each ciphertext with a stable key id derived from the key', () => {
    expect(new SecretBox(KEY_A).encrypt('x', 'a').kid).toBe(deriveKey(KEY_A).id);
    expect(deriveKey(KEY_A).id).toBe(deriveKey(KEY_A).id);
    expect(deriveKey(KEY_A).id).not.toBe(deriveKey(KEY_B).id);
  });

  it('decrypts old ciphertexts after a rotation when the old key is kept, and not otherwise', () => {
    const old = new SecretBox(KEY_A).encrypt('s3cret', 'aad');
    const rotated = new SecretBox(KEY_B, [KEY_A]);
    expect(rotated.decrypt(old, 'aad')).toBe('s3cret');
    expect(rotated.encrypt('new', 'aad').kid).toBe(deriveKey(KEY_B).id);
    expect(() => new SecretBox(KEY_B).decrypt(old, 'aad')).toThrow(SecretDecryptionError);
  });

  it('refuses a ciphertext moved to another place (AAD) or tampered with', () => {
    const box = new SecretBox(KEY_A);
    const env = box.encrypt('s3cret', 'row-1:token');
    expect(() => box.decrypt(env, 'row-2:token')).toThrow(SecretDecryptionError);
    const flipped = Buffer.from(env.ct, 'base64');
    flipped[0] ^= 1;
    expect(() => box.decrypt({ ...env, ct: flipped.toString('base64') }, 'row-1:token')).toThrow(SecretDecryptionError);
  });
});
