import type { FastifyRequest } from 'fastify';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Client IP (honouring TRUST_PROXY through Fastify) and user agent, bounded in size. */
export function clientInfo(req: FastifyRequest): ClientInfo {
  const ua = req.headers['user-agent'];
  return {
    ip: req.ip ? req.ip.slice(0, 64) : null,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
  };
}
