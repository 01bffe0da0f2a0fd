import { Module } from '@nestjs/common';
import { AuthModule } from '@/domains/auth';
import { SocketsGateway } from './sockets.gateway';

/** The API's Socket.IO endpoint (the worker only emits, through the platform's RealtimeService). */
@Module({
  imports: [AuthModule],
  providers: [SocketsGateway],
})
export class SocketsModule {}
