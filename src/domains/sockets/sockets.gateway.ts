import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server, Socket as IoSocket } from 'socket.io';
import { AppConfig } from '@/platform/config/app-config';
import { Authenticator } from '@/platform/http/authenticator';
import { MetricsService } from '@/platform/metrics/metrics.service';
import { isUuid, NOT_A_MEMBER, OrgAccessService } from '@/domains/organizations';
import {
  type AckReply,
  type ClientToServerEvents,
  orgRoom,
  type ServerToClientEvents,
  sessionRoom,
  userRoom,
} from '@/platform/realtime/realtime.events';
import { MessageLimiter } from './message-limiter';
import { authenticateSocket, type SocketIdentity } from './socket-auth';

const DISCONNECT_AFTER_STRIKES = 20;

/** The protocol, typed both ways (realtime.events.ts). */
type Socket = IoSocket<ClientToServerEvents, ServerToClientEvents>;

interface SocketState {
  identity: SocketIdentity;
  limiter: MessageLimiter;
  expiry?: NodeJS.Timeout;
}

/**
 * The Socket.IO endpoint of the API (same port as HTTP, path /socket.io). Authenticates
 * the handshake, puts each socket in `user:<id>`, `session:<id>` and `org:<id>` for each
 * of the user's organizations, and drops it when its access token expires (clients
 * reconnect with a fresh one, which also re-checks a revoked session). Every emit to
 * clients goes through RealtimeService (Redis emitter), never through this class.
 */
@WebSocketGateway()
export class SocketsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SocketsGateway.name);
  private readonly states = new WeakMap<Socket, SocketState>();

  constructor(
    private readonly auth: Authenticator,
    private readonly orgs: OrgAccessService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  afterInit(server: Server<ClientToServerEvents, ServerToClientEvents>): void {
    server.use((socket, next) => {
      authenticateSocket(socket, this.auth).then(
        (identity) => {
          this.states.set(socket, { identity, limiter: new MessageLimiter(this.config.sockets.messagesPer10s, 10_000) });
          next();
        },
        (err: Error) => next(err),
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const state = this.states.get(socket);
    if (!state) return void socket.disconnect(true);
    const { identity } = state;
    this.metrics.socketConnections.inc();
    socket.use(([, ...args], next) => {
      if (state.limiter.take()) return next();
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as (r: AckReply) => void)({ ok: false, error: 'Too many messages: slow down' });
      if (state.limiter.strikes >= DISCONNECT_AFTER_STRIKES) socket.disconnect(true);
    });
    state.expiry = setTimeout(() => socket.disconnect(true), Math.max(0, identity.expiresAt - Date.now()));
    state.expiry.unref();
    try {
      const orgIds = await this.orgs.organizationIdsOf(identity.userId);
      await socket.join([userRoom(identity.userId), sessionRoom(identity.sessionId), ...orgIds.map(orgRoom)]);
    } catch (err) {
      this.logger.warn(`socket ${socket.id}: could not join rooms: ${(err as Error).message}`);
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: Socket): void {
    const state = this.states.get(socket);
    if (!state) return;
    clearTimeout(state.expiry);
    this.states.delete(socket);
    this.metrics.socketConnections.dec();
  }

  @SubscribeMessage('ping')
  ping(): { server_time: string } {
    return { server_time: new Date().toISOString() };
  }

  /** Join an organization's room (members only). */
  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<AckReply> {
    const orgId = this.orgIdOf(body);
    if (!orgId) return { ok: false, error: 'organization_id must be a UUID' };
    const state = this.states.get(socket);
    if (!state || !(await this.orgs.roleOf(state.identity.userId, orgId))) return { ok: false, error: NOT_A_MEMBER };
    await socket.join(orgRoom(orgId));
    return { ok: true, room: orgRoom(orgId) };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<AckReply> {
    const orgId = this.orgIdOf(body);
    if (!orgId) return { ok: false, error: 'organization_id must be a UUID' };
    await socket.leave(orgRoom(orgId));
    return { ok: true, room: orgRoom(orgId) };
  }

  private orgIdOf(body: unknown): string | null {
    const id = body && typeof body === 'object' ? (body as Record<string, unknown>).organization_id : undefined;
    return isUuid(id) ? id : null;
  }
}
