import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bull';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, Authenticator, bearerToken } from '@/platform/http/authenticator';
import { QUEUES } from './queues';

const DASHBOARD_PATH = '/admin/queues';
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
  createBullBoard({
    queues: queues.map((q) => new BullAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Floyo queues' } },
  });

  const auth = app.get(Authenticator);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const fromQuery = (req.query as Record<string, unknown> | undefined)?.token;
      const token =
        bearerToken(req.headers.authorization) ?? (typeof fromQuery === 'string' ? fromQuery : undefined) ?? cookie(req, COOKIE);
      const deny = (status: number, detail: string) =>
        reply.status(status).header('WWW-Authenticate', 'Bearer').header('Cache-Control', 'no-store').send({ detail });
      if (!token) return deny(401, 'Not authenticated');
      let principal;
      try {
        principal = await auth.authenticate(token);
      } catch (err) {
        if (err instanceof AuthenticationError) return deny(401, err.message);
        throw err;
      }
      if (!principal.isSuperuser) return deny(403, 'Superuser privileges required');
      if (typeof fromQuery === 'string') {
        const maxAge = Math.max(0, Math.floor((principal.expiresAt - Date.now()) / 1000));
        const attrs = [`Path=${DASHBOARD_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
        if (secureCookies) attrs.push('Secure');
        void reply.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; ${attrs.join('; ')}`);
      }
    });
    await scope.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
