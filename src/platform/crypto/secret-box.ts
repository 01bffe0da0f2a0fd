import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * One encrypted value as stored (JSON): AES-256-GCM with a random 96-bit IV, the 128-bit
 * auth tag, and the id of the key that produced it, so old ciphertexts stay readable
 * after a key rotation.
 */
export interface SecretEnvelope {
  v: 1;
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export class SecretDecryptionError extends Error {}

interface Key {
  id: string;
  bytes: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const HKDF_SALT = 'floyo';
const HKDF_INFO = 'floyo:secrets:aes-256-gcm:v1';

/**
 * The AES key is derived from the configured passphrase with HKDF-SHA256 (any string of
 * at least 32 characters works); the key id is a fingerprint of the derived key, so an
 * operator never has to name keys and two different keys can never share an id.
 */
export function deriveKey(passphrase: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', Buffer.from(passphrase, 'utf8'), HKDF_SALT, HKDF_INFO, 32));
  const id = 'k' + createHash('sha256').update('floyo-kid').update(bytes).digest('hex').slice(0, 12);
  return { id, bytes };
}

export function isSecretEnvelope(value: unknown): value is SecretEnvelope {
  const e = value as SecretEnvelope | null;
  return (
    !!e &&
    typeof e === 'object' &&
    e.v === 1 &&
    typeof e.kid === 'string' &&
    typeof e.iv === 'string' &&
    typeof e.tag === 'string' &&
    typeof e.ct === 'string'
  );
}

/**
 * Encrypts with the current key, decrypts with whichever known key the envelope names.
 * `aad` (additional authenticated data) binds a ciphertext to where it belongs (e.g. the
 * row id and field name): moving it elsewhere makes decryption fail.
 */
export class SecretBox {
  private readonly current: Key;
  private readonly keys = new Map<string, Key>();

  constructor(currentKey: string, oldKeys: readonly string[] = []) {
    if (!currentKey) throw new Error('SecretBox needs a key');
    this.current = deriveKey(currentKey);
    for (const k of [currentKey, ...oldKeys].map(deriveKey)) if (!this.keys.has(k.id)) this.keys.set(k.id, k);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  encrypt(plaintext: string, aad: string): SecretEnvelope {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.current.bytes, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      v: 1,
      kid: this.current.id,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  decrypt(envelope: SecretEnvelope, aad: string): string {
    const key = this.keys.get(envelope.kid);
    if (!key) throw new SecretDecryptionError(`unknown encryption key id "${envelope.kid}"`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key.bytes, Buffer.from(envelope.iv, 'base64'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('secret failed authentication (wrong key or tampered data)');
    }
  }
}
