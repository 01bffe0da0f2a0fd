import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** OWASP argon2id parameters: m = 19 MiB, t = 2, p = 1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

@Injectable()
export class PasswordService {
  /** A hash of a random value, verified against when the account does not exist, so that
   * "no such user" costs the same time as "wrong password" (no enumeration by timing). */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    this.dummyHash ??= this.hash(`dummy-${Math.random()}`);
    try {
      return await argon2.verify(hash ?? (await this.dummyHash), password);
    } catch {
      return false;
    }
  }

  /** Reason the password is too weak, or null. */
  weakness(password: string): string | null {
    if (password.length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters`;
    if (password.length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters`;
    return null;
  }
}
