import { randomUUID } from 'node:crypto';
import type { TestApp } from './app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID().slice(0, 12)}@example.com`;

/** Registers and logs in a fresh user through the public API. */
export async function registerAndLogin(t: TestApp, overrides: { email?: string; password?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? 'correct horse battery';
  const reg = await t.http().post('/api/auth/register').send({ email, password }).expect(201);
  const login = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
  return {
    id: reg.body.id,
    email,
    password,
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** The last mail of `kind` sent to `to`, read from the log transport's outbox. */
export function lastMailToken(t: TestApp, to: string, kind: string): string {
  const msg = [...t.mail.outbox()].reverse().find((m) => m.to === to && m.kind === kind);
  if (!msg?.data?.token) throw new Error(`no ${kind} mail to ${to}`);
  return msg.data.token;
}

/** Waits for a mail that is sent without being awaited by the request (forgot-password). */
export async function waitForMailToken(t: TestApp, to: string, kind: string, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return lastMailToken(t, to, kind);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
