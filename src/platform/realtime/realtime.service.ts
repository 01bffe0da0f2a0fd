import { Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { randomUUID } from 'node:crypto';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';
import { MetricsService } from '@/platform/metrics/metrics.service';
import { RedisService } from '@/platform/redis/redis.service';
import { type Envelope, orgRoom, type RealtimeEventName, type ServerToClientEvents, sessionRoom, userRoom } from './realtime.events';

/**
 * The port domain code uses to reach Socket.IO clients; nothing else imports socket.io.
 * It publishes through @socket.io/redis-emitter, so the same code works from any API
 * replica and from the worker: the Redis adapter of every API process delivers to the
 * sockets in the room. Realtime is best effort: while Redis is away updates are dropped
 * (counted, logged at most once a minute), never queued without bound, never an error.
 */
@Injectable()
export class RealtimeService implements OnModuleInit {
  private readonly warning = new OccasionalWarning(new Logger(RealtimeService.name));
  private emitter!: Emitter;

  constructor(
    private readonly redis: RedisService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onModuleInit(): void {
    const client = this.redis.create('command', 'realtime-emitter');
    // The emitter only ever calls publish().
    const publisher = {
      publish: (channel: string, message: Buffer | string) => {
        if (client.status !== 'ready') return this.dropped('redis not connected');
        return client.publish(channel, message).catch((err: Error) => this.dropped(err.message));
      },
    };
    this.emitter = new Emitter(publisher, { key: this.channelKey });
  }

  /**
   * Set by the API's bootstrap when the Socket.IO Redis adapter is installed: whether its
   * pub/sub connections are up (readiness). Null in processes without a gateway (worker).
   */
  adapterConnected: (() => boolean) | null = null;

  /** The Redis channel prefix shared with the gateway's adapter (namespaced like every key). */
  get channelKey(): string {
    return this.redis.key('socket.io');
  }

  toUser<E extends RealtimeEventName>(userId: string, event: E, payload: ServerToClientEvents[E]): void {
    this.emit([userRoom(userId)], event, payload);
  }

  toOrg<E extends RealtimeEventName>(orgId: string, event: E, payload: ServerToClientEvents[E]): void {
    this.emit([orgRoom(orgId)], event, payload);
  }

  /**
   * A revoked session's sockets are disconnected on every API replica. Revocations are
   * often called inside a transaction: the disconnect is repeated once the transaction has
   * surely committed, so a client that reconnected in between is refused the second time.
   */
  disconnectSessions(sessionIds: string[]): void {
    if (!sessionIds.length) return;
    const rooms = sessionIds.map(sessionRoom);
    this.guard(() => this.emitter.in(rooms).disconnectSockets(true));
    setTimeout(() => this.guard(() => this.emitter.in(rooms).disconnectSockets(true)), 2_000).unref();
  }

  /** Membership changes: the user's live sockets join or leave the org room everywhere. */
  joinOrg(userId: string, orgId: string): void {
    this.guard(() => this.emitter.in(userRoom(userId)).socketsJoin(orgRoom(orgId)));
  }

  leaveOrg(userId: string, orgId: string): void {
    this.guard(() => this.emitter.in(userRoom(userId)).socketsLeave(orgRoom(orgId)));
  }

  private emit<E extends RealtimeEventName>(rooms: string[], event: E, payload: ServerToClientEvents[E]): void {
    const envelope = { ...payload, event_id: randomUUID(), timestamp: new Date().toISOString() } as Envelope<E>;
    if (this.guard(() => this.emitter.to(rooms).emit(event, envelope))) this.metrics?.realtimeEmitted.inc({ event });
  }

  private guard(fn: () => unknown): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.dropped((err as Error).message);
      return false;
    }
  }

  private dropped(reason: string): void {
    this.metrics?.realtimeDropped.inc();
    this.warning.warn(`realtime updates dropped: ${reason}`);
  }
}
