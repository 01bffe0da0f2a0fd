import type { Socket } from 'socket.io';
import { AuthenticationError, type Authenticator, bearerToken } from '@/platform/http/authenticator';

export interface SocketIdentity {
  userId: string;
  sessionId: string;
  /** Access-token expiry (ms since epoch): the socket is disconnected then. */
  expiresAt: number;
}

/** The access token from `auth.token`, or an `Authorization: Bearer` header. */
function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth.replace(/^Bearer\s+/i, '');
  return bearerToken(socket.handshake.headers.authorization);
}

/**
 * Authenticates a handshake with the one check the HTTP guard uses. Throws an Error whose
 * message the client sees in `connect_error`.
 */
export async function authenticateSocket(socket: Socket, auth: Authenticator): Promise<SocketIdentity> {
  const token = handshakeToken(socket);
  if (!token) throw new Error('Authentication required: pass the access token in auth.token');
  try {
    const principal = await auth.authenticate(token);
    return { userId: principal.id, sessionId: principal.sessionId, expiresAt: principal.expiresAt };
  } catch (err) {
    if (err instanceof AuthenticationError) throw new Error(err.message);
    throw err;
  }
}
