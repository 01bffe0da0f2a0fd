import { Module } from '@nestjs/common';
import { SessionsModule } from '@/domains/auth/sessions.module';
import { UsersModule } from '@/domains/users/users.module';
import { RealtimeGateway } from './realtime.gateway';

/** The API's Socket.IO endpoint (the worker only emits, through RealtimeService). */
@Module({
  imports: [SessionsModule, UsersModule],
  providers: [RealtimeGateway],
})
export class RealtimeGatewayModule {}
