import type { Socket } from 'socket.io';
import { InvalidTokenError, type TokenService } from '@/domains/auth/token.service';
import type { UsersService } from '@/domains/users/users.service';

export interface SocketIdentity {
  userId: string;
  sessionId: string;
  /** Access-token expiry (ms since epoch): the socket is disconnected then. */
  expiresAt: number;
}

/** The access token from `auth.token`, or an `Authorization: Bearer` header. */
export function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth.replace(/^Bearer\s+/i, '');
  const header = socket.handshake.headers.authorization;
  const [scheme, token] = (header ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/**
 * Authenticates a handshake the way the HTTP guard does (signature, exp, type, live user
 * and session). Throws an Error whose message the client sees in `connect_error`.
 */
export async function authenticateSocket(socket: Socket, tokens: TokenService, users: UsersService): Promise<SocketIdentity> {
  const token = handshakeToken(socket);
  if (!token) throw new Error('Authentication required: pass the access token in auth.token');
  let claims;
  try {
    claims = tokens.verifyAccess(token);
  } catch (err) {
    throw new Error(err instanceof InvalidTokenError ? err.message : 'Invalid token');
  }
  const principal = await users.principal(claims.sub, claims.sid);
  if (!principal || principal.deleted_at) throw new Error('User not found');
  if (!principal.is_active) throw new Error('Inactive user');
  if (!principal.session_ok) throw new Error('Session has been revoked or has expired');
  return { userId: principal.id, sessionId: claims.sid, expiresAt: claims.exp * 1000 };
}
