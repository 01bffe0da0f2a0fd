import type { AuthUser } from './principal';

/** Why a token was refused, in words the client may see (401). */
export class AuthenticationError extends Error {}

/** An authenticated caller and when its access token expires (ms since epoch). */
export interface Principal extends AuthUser {
  expiresAt: number;
}

/**
 * The one way to turn an access token into a caller: the HTTP guard, the socket handshake
 * and the queue dashboard all ask it. Infrastructure depends on this port; the auth domain
 * provides it (AuthService).
 */
export abstract class Authenticator {
  /** Verifies the token (signature, expiry, type) and that its user is active and its session live. */
  abstract authenticate(token: string): Promise<Principal>;
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const [scheme, token] = (header ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}
