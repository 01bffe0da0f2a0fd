import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '@/platform/config/app-config';
import { RedisService } from '@/platform/redis/redis.service';

const CONNECT_WAIT_MS = 2_000;

/**
 * Socket.IO on the Redis adapter, so a room spans every API replica. The pub/sub clients
 * are created — and given a moment to connect — before the adapter is installed
 * (nest#7642). They reconnect (and resubscribe) by themselves after a Redis outage;
 * readiness reports them down meanwhile, so a replica never silently runs single-instance.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly log = new Logger(RedisIoAdapter.name);
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly channelKey: string,
  ) {
    super(app);
  }

  async connect(redis: RedisService): Promise<void> {
    this.pub = redis.create('pubsub', 'socket-pub');
    this.sub = redis.create('pubsub', 'socket-sub');
    const [pubOk, subOk] = await Promise.all([redis.whenReady(this.pub, CONNECT_WAIT_MS), redis.whenReady(this.sub, CONNECT_WAIT_MS)]);
    if (!pubOk || !subOk) this.log.warn('Redis is not reachable yet: realtime fan-out resumes when it is (readiness is down meanwhile)');
  }

  /** Both adapter connections are up (the readiness check). */
  get connected(): boolean {
    return this.pub?.status === 'ready' && this.sub?.status === 'ready';
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...(options as ServerOptions),
      transports: this.config.sockets.transports,
      maxHttpBufferSize: this.config.sockets.maxMessageBytes,
      cors: {
        origin: this.config.http.corsOrigins.includes('*') ? true : this.config.http.corsOrigins,
        credentials: true,
      },
      serveClient: false,
    }) as Server;
    server.adapter(createAdapter(this.pub!, this.sub!, { key: this.channelKey }));
    return server;
  }
}
