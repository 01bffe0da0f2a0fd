import { Global, Module } from '@nestjs/common';
import { RealtimeRelay } from './realtime-relay';
import { RealtimeService } from './realtime.service';

/** The realtime port, available to API and worker alike, and the relay of domain events to sockets. */
@Global()
@Module({ providers: [RealtimeService, RealtimeRelay], exports: [RealtimeService] })
export class RealtimeModule {}
