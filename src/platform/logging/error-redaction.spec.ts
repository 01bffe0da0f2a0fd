import { QueryFailedError } from 'typeorm';
import { redactErrorText, safeErrorMessage, serializeError } from './error-redaction';

/** A pg DatabaseError as the driver builds it (enumerable fields besides message). */
const pgError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), { name: 'error', severity: 'ERROR', ...fields });

describe('error redaction', () => {
  it("drops a TypeORM error's parameters and the driver's row values, keeping what says what failed", () => {
    const driver = pgError('new row for relation "users" violates check constraint "ck_email"', {
      code: '23514',
      detail: 'Failing row contains (1, ada@example.com, $argon2id$v=19$m=19456...).',
      where: 'SQL statement "INSERT …"',
      internalQuery: "INSERT INTO audit VALUES ('ada@example.com')",
      constraint: 'ck_email',
      table: 'users',
    });
    const err = new QueryFailedError(
      'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      ['ada@example.com', '$argon2id$v=19$m=19456'],
      driver,
    );
    const out = serializeError(err) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('argon2id');
    expect(out).toMatchObject({
      type: 'QueryFailedError',
      message: 'new row for relation "users" violates check constraint "ck_email"',
      query: 'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      parameters: '[REDACTED]',
      detail: '[REDACTED]',
      code: '23514',
      constraint: 'ck_email',
      driverError: { code: '23514', detail: '[REDACTED]', where: '[REDACTED]', internalQuery: '[REDACTED]', table: 'users' },
    });
  });

  it('removes the quoted input of a data exception (SQLSTATE class 22) from message and stack', () => {
    const err = pgError('invalid input syntax for type uuid: "secret-value"', { code: '22P02' });
    expect(safeErrorMessage(err)).toBe('invalid input syntax for type uuid: [REDACTED]');
    const out = serializeError(err) as { message: string; stack: string };
    expect(out.message).toBe('invalid input syntax for type uuid: [REDACTED]');
    expect(out.stack).not.toContain('secret-value');
    expect(out.stack).toContain('at ');
    // other classes quote identifiers, which stay
    expect(safeErrorMessage(pgError('column "secret" does not exist', { code: '42703' }))).toBe('column "secret" does not exist');
  });

  it("replaces the statement's string parameters wherever they appear in a text", () => {
    expect(redactErrorText('boom near token-hash-123456 and abc', { parameters: ['token-hash-123456', 'abc', 42] })).toBe(
      'boom near [REDACTED] and abc',
    );
  });

  it('leaves other errors and values as the standard serializer does', () => {
    expect(serializeError('plain text')).toBe('plain text');
    expect(serializeError(new TypeError('x'))).toMatchObject({
      type: 'TypeError',
      message: 'x',
      stack: expect.stringContaining('TypeError: x'),
    });
  });
});
