import { Injectable } from '@nestjs/common';
import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppConfig } from '@/platform/config/app-config';

export interface AccessClaims {
  sub: string;
  sid: string;
  type: 'access';
  iat: number;
  exp: number;
}

export class InvalidTokenError extends Error {}

const ALGORITHM = 'HS256' as const;
/** Verified access tokens remembered (a client sends the same one for every request). */
const VERIFIED_MEMO_SIZE = 10_000;

/** JWT access tokens (HS256 pinned, type and exp checked) and opaque random tokens. */
@Injectable()
export class TokenService {
  /** Built once: handing jsonwebtoken a raw Buffer makes it re-derive a key per call. */
  private readonly secret: KeyObject;
  /**
   * Tokens that verified, until their `exp` (insertion-ordered, bounded). Keyed by the
   * whole token string, so any altered token misses and is verified in full; expiry is
   * still checked on every use. Revocation is the session check's job, not the JWT's.
   */
  private readonly verified = new Map<string, AccessClaims>();
  /** Derives each refresh token's successor (its own key, derived from SECRET_KEY). */
  private readonly rotationKey: KeyObject;

  constructor(private readonly config: AppConfig) {
    this.secret = createSecretKey(Buffer.from(config.auth.secretKey, 'utf8'));
    this.rotationKey = createSecretKey(createHmac('sha256', this.secret).update('floyo refresh-token rotation').digest());
  }

  get accessTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  /**
   * An access token for the session. `issuedAt` fixes `iat` (and so `exp`): the same
   * inputs sign the same token, which a refresh replayed within the reuse window relies on.
   */
  signAccess(userId: string, sessionId: string, issuedAt: Date = new Date()): string {
    return jwt.sign({ sid: sessionId, type: 'access', iat: Math.floor(issuedAt.getTime() / 1000) }, this.secret, {
      algorithm: ALGORITHM,
      subject: userId,
      expiresIn: this.accessTtlSeconds,
    });
  }

  /** Throws InvalidTokenError with a reason the client may see. */
  verifyAccess(token: string): AccessClaims {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      throw new InvalidTokenError('Token has expired');
    }
    const claims = this.verifyInFull(token);
    this.verified.set(token, claims);
    if (this.verified.size > VERIFIED_MEMO_SIZE) this.verified.delete(this.verified.keys().next().value!);
    return claims;
  }

  private verifyInFull(token: string): AccessClaims {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: [ALGORITHM] });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new InvalidTokenError('Token has expired');
      throw new InvalidTokenError('Invalid token');
    }
    if (typeof claims === 'string' || claims.type !== 'access') throw new InvalidTokenError('Invalid token type');
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') throw new InvalidTokenError('Invalid token');
    return claims as AccessClaims;
  }

  /** A URL-safe random token (256 bits). */
  randomToken(): string {
    return randomBytes(32).toString('base64url');
  }

  /**
   * The refresh token that replaces `token` when it is rotated: derived from it under a
   * server key (HMAC-SHA256, 256 bits), so anyone presenting `token` again can be given the
   * same successor although only hashes are stored — and nobody without the key can
   * predict it.
   */
  successorOf(token: string): string {
    return createHmac('sha256', this.rotationKey).update(token).digest('base64url');
  }

  /** Tokens are stored only as their SHA-256 (hex). */
  hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
