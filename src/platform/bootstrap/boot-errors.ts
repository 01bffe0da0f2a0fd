import { ConfigValidationError } from '@/platform/config/validate-env';
import { PendingMigrationsError } from '@/platform/database/schema-migrator';

/**
 * Turns a failed boot into one clear sentence for the operator (which dependency, where,
 * and how to start it) instead of a stack trace.
 */
export function describeBootError(err: unknown, urls: { database?: string; redis?: string } = {}): string {
  if (err instanceof ConfigValidationError || err instanceof PendingMigrationsError) return err.message;
  const e = err as Error & { code?: string; address?: string; port?: number };
  const msg = e?.message ?? String(err);
  if (msg.startsWith('Config validation error') || msg.startsWith('Invalid configuration')) return msg;
  const code = e?.code ?? '';
  const isNetwork = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|timeout exceeded when trying to connect/.test(`${code} ${msg}`);
  if (isNetwork || /database .* does not exist|password authentication failed|no pg_hba/.test(msg)) {
    const target = urls.database ? redactUrl(urls.database) : 'DATABASE_URL';
    return (
      `PostgreSQL is unreachable or refused the connection (${target}): ${msg}. ` +
      'Start it (e.g. `docker compose up -d postgres`, or `pg_ctlcluster 15 main start`) or fix DATABASE_URL.'
    );
  }
  return `Boot failed: ${msg}`;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
