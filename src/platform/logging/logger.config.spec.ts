import { redactUrl, requestIdFrom } from './logger.config';

describe('logging helpers', () => {
  it('strips single-use tokens from logged URLs', () => {
    expect(redactUrl('/api/auth/verify-email/abc.DEF-123?x=1')).toBe('/api/auth/verify-email/[REDACTED]?x=1');
    expect(redactUrl('/api/auth/refresh?refresh_token=s3cr3t&x=1')).toBe('/api/auth/refresh?refresh_token=[REDACTED]&x=1');
    expect(redactUrl('/api/events?skip=0')).toBe('/api/events?skip=0');
  });

  it('compares parameter names and path segments as the server decodes them', () => {
    expect(redactUrl('/api/auth/refresh?refresh%5Ftoken=s3cr3t')).toBe('/api/auth/refresh?refresh%5Ftoken=[REDACTED]');
    expect(redactUrl('/api/auth/refresh?x=1&REFRESH_TOKEN=s3cr3t&refresh_token=a&refresh_token=b')).toBe(
      '/api/auth/refresh?x=1&REFRESH_TOKEN=[REDACTED]&refresh_token=[REDACTED]&refresh_token=[REDACTED]',
    );
    expect(redactUrl('/api/auth/change-password?pass%77ord=hunter2&new+password=x')).toBe(
      '/api/auth/change-password?pass%77ord=[REDACTED]&new+password=x',
    );
    expect(redactUrl('/admin/queues?token=eyJ.a.b')).toBe('/admin/queues?token=[REDACTED]');
    expect(redactUrl('/api/auth/verify%2Demail/abc?x=1')).toBe('/api/auth/verify%2Demail/[REDACTED]?x=1');
    expect(redactUrl('/api/auth/refresh?refresh_token')).toBe('/api/auth/refresh?refresh_token');
    expect(redactUrl('/api/events?tokens=1&refresh_token_x=2&q=%ZZ')).toBe('/api/events?tokens=1&refresh_token_x=2&q=%ZZ');
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it('accepts only sane request ids', () => {
    expect(requestIdFrom('req-1.2:3_4')).toBe('req-1.2:3_4');
    for (const bad of ['', 'a b', 'x'.repeat(129), '<script>', undefined, ['a']]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
