import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config';
import type { Env } from './env.types';
import { packageVersion } from './load-config';
import { validateEnv } from './validate-env';

/**
 * @nestjs/config validates the environment once at boot (Joi schema + production rules);
 * the typed AppConfig built from it is what every other module injects.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true, validate: validateEnv })],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      useFactory: (cs: ConfigService<Env, true>) =>
        new AppConfig(new Proxy({} as Env, { get: (_t, key: string) => cs.get(key as keyof Env, { infer: true }) }), packageVersion()),
    },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
