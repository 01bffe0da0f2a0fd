import { Global, Module } from '@nestjs/common';
import { RealtimeService } from './realtime.service';

/** The realtime port, available to API and worker alike. */
@Global()
@Module({ providers: [RealtimeService], exports: [RealtimeService] })
export class RealtimeModule {}
