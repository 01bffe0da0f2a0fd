import { Module } from '@nestjs/common';
import { ResponseCache } from './response-cache.service';

/** The per-user list response cache (see ResponseCache). */
@Module({ providers: [ResponseCache], exports: [ResponseCache] })
export class CacheModule {}
