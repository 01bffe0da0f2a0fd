import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bull';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidTokenError, TokenService } from '@/domains/auth/token.service';
import { UsersService } from '@/domains/users/users.service';
import { QUEUES } from './queues';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'floyo_queues';

/**
 * The operators' queue dashboard (bull-board) at /admin/queues, for superusers only.
 * Authenticate with `Authorization: Bearer <access token>`, or open
 * `/admin/queues?token=<access token>` once in a browser: the token is then kept in an
 * HttpOnly, SameSite=Strict cookie scoped to the dashboard (its own API calls carry it).
 */
export async function mountQueueDashboard(app: NestFastifyApplication, secureCookies: boolean): Promise<void> {
  const queues = Object.values(QUEUES).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullAdapter(q)), serverAdapter: board, options: { uiConfig: { boardTitle: 'Floyo queues' } } });

  const tokens = app.get(TokenService);
  const users = app.get(UsersService);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        const fromQuery = (req.query as Record<string, unknown> | undefined)?.token;
        const token = bearer(req) ?? (typeof fromQuery === 'string' ? fromQuery : undefined) ?? cookie(req, COOKIE);
        const deny = (status: number, detail: string) =>
          reply.status(status).header('WWW-Authenticate', 'Bearer').header('Cache-Control', 'no-store').send({ detail });
        if (!token) return deny(401, 'Not authenticated');
        let sub: string;
        let sid: string;
        try {
          ({ sub, sid } = tokens.verifyAccess(token));
        } catch (err) {
          return deny(401, err instanceof InvalidTokenError ? err.message : 'Invalid token');
        }
        const principal = await users.principal(sub, sid);
        if (!principal || !principal.is_active || principal.deleted_at || !principal.session_ok) return deny(401, 'Session is not valid');
        if (!principal.is_superuser) return deny(403, 'Superuser privileges required');
        if (typeof fromQuery === 'string') {
          const attrs = [`Path=${DASHBOARD_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${tokens.accessTtlSeconds}`];
          if (secureCookies) attrs.push('Secure');
          void reply.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; ${attrs.join('; ')}`);
        }
      });
      await scope.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
    },
  );
}

function bearer(req: FastifyRequest): string | undefined {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
