import { Injectable, Logger } from '@nestjs/common';
import { isSecretEnvelope, SecretBox, type SecretEnvelope } from '@/platform/crypto/secret-box';
import { maskSecret } from './config-schema';

export type SealedSecrets = Record<string, SecretEnvelope>;

/**
 * A secret moved to a new field name by a migration (which has no key to re-encrypt it)
 * keeps the name it was sealed under; the next update seals it under its own name.
 */
type MovedEnvelope = SecretEnvelope & { sealed_as?: string };
const sealedUnder = (field: string, envelope: MovedEnvelope) => (typeof envelope.sealed_as === 'string' ? envelope.sealed_as : field);

/**
 * Encrypts an integration's secret fields one by one (AES-256-GCM, current key), each
 * bound to `<integration id>:<field>` so a ciphertext cannot be moved to another row or
 * field. Values are JSON-encoded before encryption, so any JSON type round-trips.
 */
@Injectable()
export class IntegrationSecrets {
  private readonly logger = new Logger('IntegrationSecrets');

  constructor(private readonly box: SecretBox) {}

  seal(integrationId: string, secrets: Record<string, unknown>): SealedSecrets {
    const sealed: SealedSecrets = {};
    for (const [field, value] of Object.entries(secrets)) {
      sealed[field] = this.box.encrypt(JSON.stringify(value), aad(integrationId, field));
    }
    return sealed;
  }

  /** Decrypts every secret (throws SecretDecryptionError when a key is missing or data was tampered with). */
  open(integrationId: string, sealed: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, envelope] of Object.entries(sealed)) {
      if (!isSecretEnvelope(envelope)) continue;
      out[field] = JSON.parse(this.box.decrypt(envelope, aad(integrationId, sealedUnder(field, envelope)))) as unknown;
    }
    return out;
  }

  /** The masks to show instead of the secrets; an undecryptable secret shows as `"••••"`. */
  masks(integrationId: string, sealed: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, envelope] of Object.entries(sealed)) {
      if (!isSecretEnvelope(envelope)) continue;
      try {
        out[field] = maskSecret(JSON.parse(this.box.decrypt(envelope, aad(integrationId, sealedUnder(field, envelope)))));
      } catch (err) {
        this.logger.warn(`integration ${integrationId}: secret "${field}" cannot be decrypted: ${(err as Error).message}`);
        out[field] = '••••';
      }
    }
    return out;
  }

  /** True when some secret was encrypted with a key other than the current one, or under another field name. */
  needsRotation(sealed: Record<string, unknown>): boolean {
    return Object.values(sealed).some(
      (e) => isSecretEnvelope(e) && (e.kid !== this.box.currentKeyId || (e as MovedEnvelope).sealed_as !== undefined),
    );
  }
}

const aad = (integrationId: string, field: string) => `user_integrations:${integrationId}:${field}`;
