import { rewriteVersionedUrl } from './http-app';

describe('rewriteVersionedUrl', () => {
  it.each([
    ['/api/v1/auth/me', '/api/auth/me'],
    ['/api/v1?x=1', '/api?x=1'],
    ['/api/v1', '/api'],
    ['/api/auth/me', '/api/auth/me'],
    ['/api/v10/auth', '/api/v10/auth'],
    ['/api/v1x/auth', '/api/v1x/auth'],
    ['/health', '/health'],
  ])('%s → %s', (input, output) => expect(rewriteVersionedUrl(input)).toBe(output));
});
