import type { UserSession } from '../entities/user-session.entity';

export class TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  /** Access token lifetime in seconds. */
  expires_in: number;
}

export class SessionResponse {
  id: string;
  device_info: string | null;
  ip_address: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  is_current: boolean;

  static from(s: UserSession, currentSessionId?: string): SessionResponse {
    return {
      id: s.id,
      device_info: s.deviceInfo,
      ip_address: s.ipAddress,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      expires_at: s.expiresAt.toISOString(),
      is_current: s.id === currentSessionId,
    };
  }
}
