import { Logger, type Provider } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { SecretBox } from './secret-box';

/** Used only outside production when ENCRYPTION_KEY is empty (production refuses to boot without one). */
const DEVELOPMENT_ENCRYPTION_KEY = 'floyo-development-only-encryption-key-not-secret';

function secretBoxFromConfig(config: AppConfig, logger?: Logger): SecretBox {
  if (!config.encryptionKey) {
    logger?.warn('ENCRYPTION_KEY is empty: secrets are encrypted with a fixed development key (never do this in production)');
    return new SecretBox(DEVELOPMENT_ENCRYPTION_KEY, config.encryptionKeysOld);
  }
  return new SecretBox(config.encryptionKey, config.encryptionKeysOld);
}

/** `SecretBox` for injection: ENCRYPTION_KEY is the current key, ENCRYPTION_KEYS_OLD the ones still readable. */
export const SecretBoxProvider: Provider = {
  provide: SecretBox,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => secretBoxFromConfig(config, new Logger('Secrets')),
};
