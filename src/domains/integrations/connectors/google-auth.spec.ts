import { generateKeyPairSync, verify } from 'node:crypto';
import { ProviderError } from './connector';
import { DRIVE_SCOPE, GOOGLE_TOKEN_URL, googleCredentials, signServiceAccountJwt } from './google-auth';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_LINE = PEM.split('\n')[4];
const EMAIL = 'sa@project.iam.gserviceaccount.com';
const key = (overrides: Record<string, unknown> = {}) => ({
  type: 'service_account',
  client_email: EMAIL,
  private_key: PEM,
  private_key_id: 'kid-1',
  ...overrides,
});

function refusal(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    const e = err as ProviderError;
    expect(e.kind).toBe('auth');
    expect(e.message).not.toContain(KEY_LINE);
    return e;
  }
  throw new Error('expected a refusal');
}

describe('googleCredentials', () => {
  it('reads a service-account key given as JSON text or as an object, defaulting token_uri to Google', () => {
    const fromText = googleCredentials({ credentials_json: JSON.stringify(key()) }, 'Google Drive');
    const fromObject = googleCredentials({ credentials_json: key() }, 'Google Drive');
    expect(fromText).toMatchObject({
      kind: 'service_account',
      clientEmail: EMAIL,
      privateKeyId: 'kid-1',
      tokenUri: GOOGLE_TOKEN_URL,
      scope: DRIVE_SCOPE,
    });
    expect(fromObject.cacheKey).toBe(fromText.cacheKey);
  });

  it('accepts a key whose line breaks arrived escaped', () => {
    const escaped = PEM.replace(/\n/g, '\\n');
    expect(googleCredentials({ credentials_json: key({ private_key: escaped }) }, 'Google Drive').kind).toBe('service_account');
  });

  it('caches under a SHA-256 of the credentials: no secret in the key, different credentials → different keys', () => {
    const a = googleCredentials({ credentials_json: key() }, 'Google Drive');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const b = googleCredentials({ credentials_json: key({ private_key: other }) }, 'Google Drive');
    const c = googleCredentials({ credentials_json: key({ token_uri: 'https://oauth2.example.test/token' }) }, 'Google Drive');
    expect(a.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([a.cacheKey, b.cacheKey, c.cacheKey]).size).toBe(3);
    const client = googleCredentials(
      { client_id: 'id', client_secret: 'very-secret-value', refresh_token: 'refresh-value' },
      'Google Drive',
    );
    expect(client.cacheKey).not.toContain('very-secret-value');
    expect(client).toMatchObject({ kind: 'oauth_client', tokenUri: GOOGLE_TOKEN_URL });
    const elsewhere = googleCredentials(
      { client_id: 'id', client_secret: 's', refresh_token: 'r' },
      'Google Drive',
      'https://oauth.example.test/token',
    );
    expect(elsewhere).toMatchObject({ tokenUri: 'https://oauth.example.test/token' });
  });

  it('an authorized_user file inside credentials_json is an OAuth client', () => {
    const creds = googleCredentials(
      { credentials_json: { type: 'authorized_user', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rt' } },
      'Google Drive',
    );
    expect(creds).toMatchObject({ kind: 'oauth_client', clientId: 'cid' });
  });

  it('refuses unusable credentials as auth failures that quote none of them', () => {
    expect(refusal(() => googleCredentials({ credentials_json: `{"private_key": "${KEY_LINE}` }, 'Google Drive')).message).toMatch(
      /not valid JSON/,
    );
    expect(refusal(() => googleCredentials({}, 'Google Drive')).message).toMatch(/credentials_json is missing/);
    expect(refusal(() => googleCredentials({ credentials_json: key({ private_key: `x${KEY_LINE}` }) }, 'Google Drive')).message).toMatch(
      /not a PEM/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusal(() => googleCredentials({ credentials_json: key({ private_key: ec }) }, 'Google Drive')).message).toMatch(
      /not an RSA key/,
    );
    expect(
      refusal(() => googleCredentials({ credentials_json: key({ token_uri: 'file:///etc/passwd' }) }, 'Google Drive')).message,
    ).toMatch(/token_uri/);
    expect(refusal(() => googleCredentials({ credentials_json: key({ type: 'external_account' }) }, 'Google Drive')).message).toMatch(
      /service account key/,
    );
    expect(refusal(() => googleCredentials({ client_id: 'id', client_secret: 's' }, 'Google Drive')).message).toMatch(/refresh_token/);
  });
});

describe('signServiceAccountJwt', () => {
  it('is an RS256 JWT (RFC 7523) the public key verifies: iss, scope, aud = token_uri, one hour', () => {
    const creds = googleCredentials({ credentials_json: key({ token_uri: 'https://oauth2.example.test/token' }) }, 'Google Drive');
    if (creds.kind !== 'service_account') throw new Error('expected a service account');
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const jwt = signServiceAccountJwt(creds, now);
    const [h, c, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({
      iss: EMAIL,
      scope: DRIVE_SCOPE,
      aud: 'https://oauth2.example.test/token',
      iat: now / 1000,
      exp: now / 1000 + 3600,
    });
    expect(verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
    expect(verify('sha256', Buffer.from(`${h}.${c}x`), publicKey, Buffer.from(s, 'base64url'))).toBe(false);
  });
});
