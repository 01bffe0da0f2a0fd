import { Module } from '@nestjs/common';
import { ResponseCache } from './response-cache';

/** The per-user list response cache (see ResponseCache). */
@Module({ providers: [ResponseCache], exports: [ResponseCache] })
export class CacheModule {}
