import type { User } from '../entities/user.entity';

export class UserResponse {
  id: string;
  email: string;
  username: string | null;
  full_name: string | null;
  is_active: boolean;
  email_verified: boolean;
  created_at: string;

  static from(user: User): UserResponse {
    return {
      id: user.id,
      email: user.email,
      username: user.username,
      full_name: user.fullName,
      is_active: user.isActive,
      email_verified: user.emailVerified,
      created_at: user.createdAt.toISOString(),
    };
  }
}
