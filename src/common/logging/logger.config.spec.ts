import { redactUrl, requestIdFrom } from './logger.config';

describe('logging helpers', () => {
  it('strips single-use tokens from logged URLs', () => {
    expect(redactUrl('/api/auth/verify-email/abc.DEF-123?x=1')).toBe('/api/auth/verify-email/[REDACTED]?x=1');
    expect(redactUrl('/api/auth/refresh?refresh_token=s3cr3t&x=1')).toBe('/api/auth/refresh?refresh_token=[REDACTED]&x=1');
    expect(redactUrl('/api/events?skip=0')).toBe('/api/events?skip=0');
  });

  it('accepts only sane request ids', () => {
    expect(requestIdFrom('req-1.2:3_4')).toBe('req-1.2:3_4');
    for (const bad of ['', 'a b', 'x'.repeat(129), '<script>', undefined, ['a']]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
