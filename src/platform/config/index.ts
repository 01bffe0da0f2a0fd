export { AppConfig } from './app-config';
export { AppConfigModule } from './app-config.module';
export { ConfigValidationError, validateEnv } from './validate-env';
export { loadConfig, packageVersion } from './load-config';
export type { Env } from './env.types';
