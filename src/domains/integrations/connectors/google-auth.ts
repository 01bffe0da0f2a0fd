import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { HttpResult } from '@/platform/http/outbound/safe-http';
import { networkProviderError, ProviderError, providerMessage, retryAfterMs, type ProviderTransport } from './connector';

/** Full access to the files the credentials can reach (Drive API v3). */
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';
/** Google's OAuth 2.0 token endpoint (the `token_uri` of every service-account key Google issues). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** A token is used until this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;
/** Google's limit on an assertion's lifetime (exp - iat). */
const ASSERTION_LIFETIME_S = 3600;
const MAX_CACHED_TOKENS = 1000;

/**
 * Where OAuth-client credentials (client_id / client_secret / refresh_token, which carry no
 * `token_uri` of their own) are refreshed. Not configurable per integration; the tests
 * point it at a local fake.
 */

/**
 * Credentials of a Google integration, parsed. `cacheKey` is a SHA-256 over everything that
 * identifies them (secrets included): tokens are cached under it, never under a secret.
 */
export type GoogleCredentials = (
  | { kind: 'service_account'; clientEmail: string; privateKey: KeyObject; privateKeyId?: string }
  | { kind: 'oauth_client'; clientId: string; clientSecret: string; refreshToken: string }
) & { tokenUri: string; scope: string; cacheKey: string };

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const tokens = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();

/** Forgets every cached access token (tests). */
export function clearGoogleTokenCache(): void {
  tokens.clear();
  inFlight.clear();
}

/** Who the credentials act as, for messages: the service account's email or the OAuth client's id. */
export function googleIdentity(creds: GoogleCredentials): string {
  return creds.kind === 'service_account' ? creds.clientEmail : `the OAuth client ${creds.clientId}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * The integration's credentials: a service account's key (`credentials_json`, as text or as
 * an object; an `authorized_user` file works too) or an OAuth client with a refresh token.
 * Unusable credentials are an `auth` ProviderError; no message quotes any part of them.
 */
export function googleCredentials(
  config: Record<string, unknown>,
  provider: string,
  oauthTokenUrl = GOOGLE_TOKEN_URL,
  scope = DRIVE_SCOPE,
): GoogleCredentials {
  const bad = (why: string) => new ProviderError(provider, 'auth', `${provider}: ${why}`);
  let source: Record<string, unknown> = config;
  if (!str(config.client_id)) {
    let key = config.credentials_json;
    if (typeof key === 'string') {
      try {
        key = JSON.parse(key);
      } catch {
        // the parser's message quotes the text: never show it
        throw bad('credentials_json is not valid JSON (paste the whole key file of the service account)');
      }
    }
    if (!key || typeof key !== 'object' || Array.isArray(key)) throw bad('credentials_json is missing: give a service account key (JSON)');
    source = key as Record<string, unknown>;
  }

  const clientId = str(source.client_id);
  if (str(config.client_id) || source.type === 'authorized_user') {
    const clientSecret = str(source.client_secret);
    const refreshToken = str(source.refresh_token);
    if (!clientId || !clientSecret || !refreshToken) throw bad('an OAuth client needs client_id, client_secret and refresh_token');
    const tokenUri = source === config ? oauthTokenUrl : tokenUriOf(source.token_uri ?? oauthTokenUrl, bad);
    return {
      kind: 'oauth_client',
      clientId,
      clientSecret,
      refreshToken,
      tokenUri,
      scope,
      cacheKey: hash(['oauth_client', clientId, clientSecret, refreshToken, tokenUri, scope]),
    };
  }

  if (source.type !== undefined && source.type !== 'service_account') {
    throw bad(
      `credentials_json is a "${String(source.type).slice(0, 40)}" key; a service account key ("type": "service_account") is needed`,
    );
  }
  const clientEmail = str(source.client_email);
  let pem = str(source.private_key);
  if (!clientEmail || !pem) throw bad('credentials_json needs the client_email and private_key of a service account');
  // keys pasted through a form sometimes arrive with their line breaks escaped
  if (!pem.includes('\n') && pem.includes('\\n')) pem = pem.replace(/\\n/g, '\n');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw bad('the private_key of credentials_json is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw bad('the private_key of credentials_json is not an RSA key');
  const tokenUri = tokenUriOf(source.token_uri ?? GOOGLE_TOKEN_URL, bad);
  return {
    kind: 'service_account',
    clientEmail,
    privateKey,
    privateKeyId: str(source.private_key_id),
    tokenUri,
    scope,
    cacheKey: hash(['service_account', clientEmail, pem, tokenUri, scope]),
  };
}

function tokenUriOf(value: unknown, bad: (why: string) => ProviderError): string {
  try {
    const url = new URL(String(value));
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
  } catch {
    // reported below
  }
  throw bad('the token_uri of credentials_json is not an http(s) URL');
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A JWT assertion (RFC 7523) for the service account, signed RS256. */
export function signServiceAccountJwt(creds: Extract<GoogleCredentials, { kind: 'service_account' }>, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(creds.privateKeyId ? { kid: creds.privateKeyId } : {}) };
  const claims = { iss: creds.clientEmail, scope: creds.scope, aud: creds.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), creds.privateKey);
  return `${input}.${b64url(signature)}`;
}

/**
 * An access token for the credentials: from the in-process cache while it has more than a
 * minute left, else from the token endpoint through the SSRF-guarded client (the JWT-bearer
 * grant of RFC 7523 for a service account, the refresh_token grant for an OAuth client).
 * Concurrent callers share one request. `fresh` skips the cache (after a 401).
 */
export async function googleAccessToken(
  ctx: { transport: ProviderTransport; signal: AbortSignal },
  creds: GoogleCredentials,
  provider: string,
  fresh = false,
): Promise<string> {
  // a dry run's token is synthetic: never cached, never taken from the cache
  if (ctx.transport.dryRun) return (await requestToken(ctx, creds, provider)).accessToken;
  const cached = tokens.get(creds.cacheKey);
  if (!fresh && cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.accessToken;
  let pending = inFlight.get(creds.cacheKey);
  if (!pending) {
    pending = requestToken(ctx, creds, provider).finally(() => inFlight.delete(creds.cacheKey));
    inFlight.set(creds.cacheKey, pending);
  }
  const token = await pending;
  remember(creds.cacheKey, token);
  return token.accessToken;
}

/** Drops the cached token of the credentials if it is `accessToken` (the provider refused it). */
export function forgetGoogleToken(creds: GoogleCredentials, accessToken: string): void {
  if (tokens.get(creds.cacheKey)?.accessToken === accessToken) tokens.delete(creds.cacheKey);
}

function remember(key: string, token: CachedToken): void {
  tokens.delete(key);
  tokens.set(key, token);
  if (tokens.size <= MAX_CACHED_TOKENS) return;
  const now = Date.now();
  for (const [k, t] of tokens) if (t.expiresAt - EXPIRY_MARGIN_MS <= now) tokens.delete(k);
  // still full: the oldest entries go first (a Map iterates in insertion order)
  for (const k of tokens.keys()) {
    if (tokens.size <= MAX_CACHED_TOKENS) break;
    tokens.delete(k);
  }
}

async function requestToken(
  ctx: { transport: ProviderTransport; signal: AbortSignal },
  creds: GoogleCredentials,
  provider: string,
): Promise<CachedToken> {
  const form =
    creds.kind === 'service_account'
      ? new URLSearchParams({ grant_type: JWT_BEARER, assertion: signServiceAccountJwt(creds) })
      : new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: creds.clientId,
          client_secret: creds.clientSecret,
          refresh_token: creds.refreshToken,
        });
  const what = 'token request';
  let res: HttpResult;
  try {
    res = await ctx.transport.http.call({
      method: 'POST',
      url: creds.tokenUri,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs: ctx.transport.timeoutMs,
      signal: ctx.signal,
    });
  } catch (err) {
    throw networkProviderError(provider, err, what, ctx.signal);
  }
  const body = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
  if (res.status >= 400) throw tokenError(provider, res, body);
  const accessToken = body.access_token;
  const expiresIn = Number(body.expires_in ?? 3600);
  if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(expiresIn)) {
    throw new ProviderError(provider, 'retry', `${provider} ${what}: HTTP ${res.status} without an access_token`, undefined, res.status);
  }
  return { accessToken, expiresAt: Date.now() + expiresIn * 1000 };
}

/**
 * The token endpoint's refusal (RFC 6749 §5.2: `{"error", "error_description"}`): a 400/401/403
 * means the credentials (or the key's permission to the scope) were refused → `auth`;
 * 429/5xx → `retry`.
 */
function tokenError(provider: string, res: HttpResult, body: Record<string, unknown>): ProviderError {
  const code = typeof body.error === 'string' ? body.error : undefined;
  const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 300) : undefined;
  const detail = code ? `${code}${description ? `: ${description}` : ''}` : providerMessage(res.body);
  const message = `${provider} token request: HTTP ${res.status}: ${detail}`;
  if (res.status === 429 || res.status >= 500)
    return new ProviderError(provider, 'retry', message, retryAfterMs(res.headers['retry-after']), res.status);
  if (res.status === 400 || res.status === 401 || res.status === 403)
    return new ProviderError(provider, 'auth', message, undefined, res.status);
  return new ProviderError(provider, 'fail', message, undefined, res.status);
}
