import { Logger } from '@nestjs/common';
import { loadConfig } from '@/platform/config/load-config';
import { buildDataSourceOptions } from './data-source.options';
import { FloyoDataSource } from './floyo-data-source';

/** What TypeORM's logger of our DataSource writes, wherever it writes (Nest's logger or the console). */
function capture(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  const spies = [
    ...(['log', 'warn', 'error', 'debug', 'verbose'] as const).map((m) => jest.spyOn(Logger.prototype, m).mockImplementation(record)),
    ...(['log', 'info', 'warn', 'error'] as const).map((m) => jest.spyOn(console, m).mockImplementation(record)),
  ];
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe("the DataSource's TypeORM logger", () => {
  const SECRET = 'b3f1c0ffee-token-hash-0123456789abcdef';

  it.each(['app', 'migrations'] as const)('never writes SQL parameters (%s data source)', (purpose) => {
    const { logger } = new FloyoDataSource(buildDataSourceOptions(loadConfig(), purpose));
    const out = capture();
    try {
      const failure = Object.assign(new Error(`invalid input syntax for type uuid: "${SECRET}"`), { code: '22P02' });
      logger.logQuerySlow(1234, 'UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [SECRET]);
      logger.logQueryError(failure, 'SELECT * FROM users WHERE id = $1', [SECRET]);
      logger.logQuery('SELECT * FROM users WHERE id = $1', [SECRET]);
      logger.logMigration('Migration AddStuff1700000000000 has been executed successfully.');
      logger.log('warn', 'a warning');
    } finally {
      out.restore();
    }
    expect(out.lines.join('\n')).toContain('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1');
    expect(out.lines.join('\n')).toContain('has been executed successfully');
    expect(out.lines.filter((l) => l.includes(SECRET))).toEqual([]);
  });

  it('logs what a CLI command asks for (queries, errors, schema), still without parameters', () => {
    const ds = new FloyoDataSource(buildDataSourceOptions(loadConfig(), 'migrations'));
    ds.setOptions({ logging: ['query', 'error', 'schema'] });
    const out = capture();
    try {
      const failure = Object.assign(new Error(`invalid input syntax for type uuid: "${SECRET}"`), { code: '22P02' });
      ds.logger.logQuery('INSERT INTO "migrations"("timestamp", "name") VALUES ($1, $2)', [SECRET, 'InitialSchema']);
      ds.logger.logQueryError(failure, 'SELECT * FROM users WHERE id = $1', [SECRET]);
      ds.logger.logSchemaBuild('[X] 1 InitialSchema1795780826048');
    } finally {
      out.restore();
    }
    const text = out.lines.join('\n');
    expect(text).toContain('query: INSERT INTO "migrations"("timestamp", "name") VALUES ($1, $2)');
    expect(text).toContain('query failed: SELECT * FROM users WHERE id = $1 — error: invalid input syntax for type uuid: [REDACTED]');
    expect(text).toContain('[X] 1 InitialSchema1795780826048');
    expect(out.lines.filter((l) => l.includes(SECRET))).toEqual([]);
  });
});
