import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/** The one place Redis connections are created (see RedisService for the roles). */
@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
