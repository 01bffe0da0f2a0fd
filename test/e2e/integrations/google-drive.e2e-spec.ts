import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  ActionContext,
  ActionFile,
  FileOpener,
  FileRef,
  ProviderTransport,
} from '../../../src/domains/integrations/connectors/connector';
import { ProviderError } from '../../../src/domains/integrations/connectors/connector';
import { clearGoogleTokenCache } from '../../../src/domains/integrations/connectors/google-auth';
import { driveUploads, googleDrive } from '../../../src/domains/integrations/connectors/google-drive';
import { type Resolver, SafeHttpClient } from '../../../src/platform/http/outbound/safe-http';
import { SsrfPolicy } from '../../../src/platform/http/outbound/ssrf-policy';
import { FOLDER_MIME, GoogleFake, parseMultipart, type RecordedRequest } from '../../fakes/google-fake';
import { expectProviderError as expectFrom, rejection } from '../../helpers/provider-errors';

const EMAIL = 'floyo-uploader@floyo-test.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A line from the middle of the private key: no message may ever contain it. */
const KEY_LINE = PEM.split('\n')[5];
const OAUTH = {
  clientId: 'floyo-client.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-client-secret-value',
  refreshToken: '1//refresh-token-value',
};
const DEFAULT_UPLOADS = { ...driveUploads };

/** In-memory files by event id (plus text sources, as OwnerFiles makes them); counts opens. */
class MemoryFiles implements FileOpener {
  opens = 0;
  constructor(private readonly byId: Record<string, { name: string; content: Buffer; contentType?: string; sizeUnknown?: boolean }> = {}) {}

  open(ref: FileRef): Promise<ActionFile> {
    let name: string;
    let content: Buffer;
    let contentType: string;
    let size: number | null;
    if ('text' in ref) {
      content = Buffer.from(ref.text, 'utf8');
      name = ref.name ?? 'floyo.txt';
      contentType = ref.content_type ?? 'text/plain; charset=utf-8';
      size = content.length;
    } else if ('event_id' in ref && this.byId[ref.event_id]) {
      const f = this.byId[ref.event_id];
      ({ name, content } = f);
      contentType = f.contentType ?? 'application/octet-stream';
      size = f.sizeUnknown ? null : content.length;
    } else {
      return Promise.reject(new ProviderError('Google Drive', 'fail', 'file not found'));
    }
    return Promise.resolve({
      name: ref.name ?? name,
      contentType,
      size,
      open: () => {
        this.opens++;
        // 64 KiB pieces, like a file stream
        const pieces: Buffer[] = [];
        for (let i = 0; i < content.length; i += 65536) pieces.push(content.subarray(i, i + 65536));
        return Promise.resolve(Readable.from(pieces));
      },
    });
  }
}

const failure = rejection;
const expectProviderError = (err: Error, kind: ProviderError['kind'], message?: RegExp): ProviderError =>
  expectFrom(err, 'Google Drive', { kind, message, secrets: [KEY_LINE, OAUTH.clientSecret, OAUTH.refreshToken] });

const jwtParts = (assertion: string) =>
  assertion
    .split('.')
    .slice(0, 2)
    .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);

describe('Google Drive connector against a local Google (OAuth token endpoint + Drive v3)', () => {
  let fake: GoogleFake;
  let http: SafeHttpClient;
  let transport: ProviderTransport;
  let folder: string;
  const clients: SafeHttpClient[] = [];

  const serviceAccount = (overrides: Record<string, unknown> = {}) => ({
    type: 'service_account',
    project_id: 'floyo-test',
    private_key_id: 'key-1',
    private_key: PEM,
    client_email: EMAIL,
    client_id: '1234567890',
    token_uri: fake.tokenUri,
    ...overrides,
  });
  const config = (overrides: Record<string, unknown> = {}) => ({
    credentials_json: JSON.stringify(serviceAccount()),
    folder_id: folder,
    ...overrides,
  });

  function ctx(cfg: Record<string, unknown>, params: Record<string, unknown>, over: Partial<ActionContext> = {}): ActionContext {
    return {
      config: cfg,
      params,
      idempotencyKey: `exec-${randomUUID()}:upload`,
      resumed: false,
      signal: AbortSignal.timeout(20_000),
      transport,
      files: new MemoryFiles(),
      ...over,
    };
  }

  function transportWith(policy: string[], resolver?: Resolver, driveUrl = fake.base): ProviderTransport {
    const c = new SafeHttpClient(new SsrfPolicy(policy), 1024 * 1024, resolver);
    clients.push(c);
    return {
      http: c,
      timeoutMs: 5_000,
      endpoints: {
        githubApiUrl: '',
        dropboxApiUrl: '',
        dropboxContentUrl: '',
        googleDriveUrl: driveUrl,
        googleOAuthTokenUrl: 'https://oauth2.googleapis.com/token',
      },
    };
  }

  const uploads = (): RecordedRequest[] => fake.driveRequests().filter((r) => r.path.startsWith('/upload/'));

  beforeAll(async () => {
    fake = await new GoogleFake({ serviceAccounts: { [EMAIL]: publicKey }, oauthClients: [OAUTH] }).start();
    http = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024);
    transport = {
      http,
      timeoutMs: 5_000,
      // OAuth-client credentials get their token here (INTEGRATION_GOOGLE_OAUTH_TOKEN_URL); service accounts use their token_uri
      endpoints: {
        githubApiUrl: '',
        dropboxApiUrl: '',
        dropboxContentUrl: '',
        googleDriveUrl: fake.base,
        googleOAuthTokenUrl: fake.tokenUri,
      },
    };
  });
  afterAll(async () => {
    await Promise.all([http.close(), ...clients.map((c) => c.close())]);
    await fake.close();
  });
  beforeEach(() => {
    clearGoogleTokenCache();
    fake.requests.length = 0;
    Object.assign(driveUploads, DEFAULT_UPLOADS, { resumeBackoffMs: 0 });
    folder = fake.addFolder(`Reports ${randomUUID().slice(0, 8)}`);
  });

  describe('upload_file', () => {
    it('gets a token with a JWT-bearer assertion signed RS256, then sends a multipart/related upload with the metadata and the bytes', async () => {
      const c = ctx(config(), { file: { text: 'id,total\n1,42\n', name: 'totals.csv', content_type: 'text/csv' } });
      const out = (await googleDrive.actions.upload_file.run(c)) as Record<string, unknown>;

      const [tokenRequest] = fake.tokenRequests();
      expect(fake.tokenRequests()).toHaveLength(1);
      expect(tokenRequest.status).toBe(200);
      expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = new URLSearchParams(tokenRequest.body.toString());
      expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const [header, claims] = jwtParts(form.get('assertion')!);
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
      expect(claims).toMatchObject({ iss: EMAIL, aud: fake.tokenUri, scope: 'https://www.googleapis.com/auth/drive' });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);

      const [upload] = uploads();
      expect(uploads()).toHaveLength(1);
      expect(upload.method).toBe('POST');
      expect(upload.query).toMatchObject({ uploadType: 'multipart', supportsAllDrives: 'true' });
      expect(upload.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
      const boundary = /boundary=(.+)$/.exec(String(upload.headers['content-type']))![1];
      expect(upload.headers['content-type']).toBe(`multipart/related; boundary=${boundary}`);
      const [meta, media] = parseMultipart(upload.body, boundary);
      expect(meta.headers['content-type']).toBe('application/json; charset=UTF-8');
      expect(JSON.parse(meta.body.toString())).toEqual({
        name: 'totals.csv',
        parents: [folder],
        appProperties: { floyo_key: c.idempotencyKey },
      });
      expect(media.headers['content-type']).toBe('text/csv');
      expect(media.body.toString()).toBe('id,total\n1,42\n');

      const stored = fake.files.get(String(out.id))!;
      expect(stored.content.toString()).toBe('id,total\n1,42\n');
      expect(out).toEqual({
        id: stored.id,
        name: 'totals.csv',
        web_view_link: `https://drive.google.com/file/d/${stored.id}/view?usp=drivesdk`,
        size: 14,
      });
    });

    it('uploads into folder_id of the params, and into My Drive ("root") when neither params nor config name a folder', async () => {
      const other = fake.addFolder('Other');
      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'a', name: 'a.txt' }, folder_id: other }));
      await googleDrive.actions.upload_file.run(ctx(config({ folder_id: undefined }), { file: { text: 'b', name: 'b.txt' } }));
      expect(fake.filesNamed('a.txt').map((f) => f.parents)).toEqual([[other]]);
      expect(fake.filesNamed('b.txt').at(-1)!.parents).toEqual(['root']);
    });

    it('above the multipart threshold: a resumable session, chunks of 256 KiB with Content-Range, 308 until the last', async () => {
      driveUploads.multipartMaxBytes = 100 * 1024;
      driveUploads.chunkBytes = 256 * 1024;
      const content = randomBytes(600 * 1024);
      const files = new MemoryFiles({ big: { name: 'big.bin', content, contentType: 'application/octet-stream' } });
      const c = ctx(config(), { file: { event_id: 'big' }, name: 'renamed.bin' }, { files });
      const out = (await googleDrive.actions.upload_file.run(c)) as Record<string, unknown>;

      const [start, ...puts] = uploads();
      expect(start.method).toBe('POST');
      expect(start.query).toMatchObject({ uploadType: 'resumable', supportsAllDrives: 'true' });
      expect(start.headers['x-upload-content-type']).toBe('application/octet-stream');
      expect(start.headers['x-upload-content-length']).toBe(String(content.length));
      expect(JSON.parse(start.body.toString())).toEqual({
        name: 'renamed.bin',
        parents: [folder],
        appProperties: { floyo_key: c.idempotencyKey },
      });
      expect(puts.map((p) => [p.method, p.headers['content-range'], p.body.length, p.status])).toEqual([
        ['PUT', 'bytes 0-262143/614400', 262144, 308],
        ['PUT', 'bytes 262144-524287/614400', 262144, 308],
        ['PUT', 'bytes 524288-614399/614400', 90112, 200],
      ]);
      for (const p of puts) expect(p.query.upload_id).toBeTruthy();
      expect(fake.files.get(String(out.id))!.content.equals(content)).toBe(true);
      expect(out).toMatchObject({ name: 'renamed.bin', size: content.length });
    });

    it('a chunk that fails half-way (503) is resumed from what Drive acknowledged after a status query', async () => {
      driveUploads.multipartMaxBytes = 100 * 1024;
      driveUploads.chunkBytes = 256 * 1024;
      const content = randomBytes(600 * 1024);
      const files = new MemoryFiles({ big: { name: 'big.bin', content } });
      fake.failNext(
        { method: 'PUT', path: '/upload/drive/v3/files' },
        { status: 503, reason: 'backendError', message: 'Backend Error', keepBytes: 100_000 },
      );
      const out = (await googleDrive.actions.upload_file.run(ctx(config(), { file: { event_id: 'big' } }, { files }))) as { id: string };

      const puts = uploads().filter((r) => r.method === 'PUT');
      expect(puts.map((p) => [p.headers['content-range'], p.status])).toEqual([
        ['bytes 0-262143/614400', 503],
        ['bytes */614400', 308],
        ['bytes 100000-362143/614400', 308],
        ['bytes 362144-614399/614400', 200],
      ]);
      expect(fake.files.get(out.id)!.content.equals(content)).toBe(true);
    });

    it('a dropped connection and a short acknowledgement (308 with a smaller Range): the bytes are sent again from there', async () => {
      driveUploads.multipartMaxBytes = 100 * 1024;
      driveUploads.chunkBytes = 256 * 1024;
      const content = randomBytes(600 * 1024);
      const files = new MemoryFiles({ big: { name: 'big.bin', content } });
      fake.acknowledgeShortNext(1000);
      fake.failNext({ method: 'PUT', path: '/upload/drive/v3/files', query: {} }, { drop: true }, 1);
      const out = (await googleDrive.actions.upload_file.run(ctx(config(), { file: { event_id: 'big' } }, { files }))) as { id: string };
      // the dropped PUT comes first (scripts run before the short ack), the status query says nothing arrived
      const puts = uploads().filter((r) => r.method === 'PUT');
      expect(puts.map((p) => p.headers['content-range'])).toEqual([
        'bytes 0-262143/614400',
        'bytes */614400',
        'bytes 0-262143/614400',
        'bytes 1000-263143/614400',
        'bytes 263144-525287/614400',
        'bytes 525288-614399/614400',
      ]);
      expect(fake.files.get(out.id)!.content.equals(content)).toBe(true);
    });

    it('a file of unknown size goes resumable with "*" as the total until the last chunk', async () => {
      driveUploads.chunkBytes = 256 * 1024;
      const content = randomBytes(300_000);
      const files = new MemoryFiles({ s: { name: 'stream.bin', content, sizeUnknown: true } });
      const out = (await googleDrive.actions.upload_file.run(ctx(config(), { file: { event_id: 's' } }, { files }))) as { id: string };
      const [start, ...puts] = uploads();
      expect(start.headers['x-upload-content-length']).toBeUndefined();
      expect(puts.map((p) => p.headers['content-range'])).toEqual(['bytes 0-262143/*', 'bytes 262144-299999/300000']);
      expect(fake.files.get(out.id)!.content.equals(content)).toBe(true);
    });

    it('an expired session (404 on a chunk) is a retry of the whole upload', async () => {
      driveUploads.multipartMaxBytes = 100 * 1024;
      driveUploads.chunkBytes = 256 * 1024;
      const files = new MemoryFiles({ big: { name: 'big.bin', content: randomBytes(300 * 1024) } });
      fake.failNext({ method: 'PUT', path: '/upload/drive/v3/files' }, { status: 404, reason: 'notFound', message: 'Not Found' });
      const err = await failure(googleDrive.actions.upload_file.run(ctx(config(), { file: { event_id: 'big' } }, { files })));
      expectProviderError(err, 'retry', /upload session expired/);
    });

    it('a subfolder is found by name in the folder, else created (without the step key) and used', async () => {
      const existing = fake.addFolder('2026', folder);
      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'x', name: 'in-existing.txt' }, subfolder: '2026' }));
      const list = fake.driveRequests().find((r) => r.method === 'GET')!;
      expect(list.query.q).toBe(`name = '2026' and '${folder}' in parents and mimeType = '${FOLDER_MIME}' and trashed = false`);
      expect(list.query.supportsAllDrives).toBe('true');
      expect(list.query.includeItemsFromAllDrives).toBe('true');
      expect(fake.driveRequests().filter((r) => r.path === '/drive/v3/files' && r.method === 'POST')).toHaveLength(0);
      expect(fake.filesNamed('in-existing.txt')[0].parents).toEqual([existing]);

      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'y', name: 'in-new.txt' }, subfolder: "Jo's files" }));
      const created = [...fake.files.values()].find((f) => f.name === "Jo's files")!;
      expect(created).toMatchObject({ mimeType: FOLDER_MIME, parents: [folder], appProperties: {} });
      expect(fake.filesNamed('in-new.txt')[0].parents).toEqual([created.id]);
      const lists = fake.driveRequests().filter((r) => r.method === 'GET');
      expect(lists.at(-1)!.query.q).toContain("name = 'Jo\\'s files'");
    });

    it('a resumed step finds the file its interrupted attempt uploaded (appProperties floyo_key) and uploads nothing', async () => {
      const key = `exec-${randomUUID()}:upload`;
      const first = (await googleDrive.actions.upload_file.run(
        ctx(config(), { file: { text: 'v1', name: 'once.txt' } }, { idempotencyKey: key }),
      )) as { id: string };
      fake.requests.length = 0;
      const again = await googleDrive.actions.upload_file.run(
        ctx(
          config(),
          { file: { text: 'v1', name: 'once.txt' } },
          { idempotencyKey: key, resumed: true, resumedFrom: new Date().toISOString() },
        ),
      );
      expect(again).toMatchObject({ id: first.id, name: 'once.txt', size: 2 });
      expect(uploads()).toHaveLength(0);
      const [lookup] = fake.driveRequests();
      expect(lookup.query.q).toBe(`appProperties has { key='floyo_key' and value='${key}' } and trashed=false`);
      expect(fake.filesNamed('once.txt')).toHaveLength(1);

      // resumed, but nothing there yet: uploaded once
      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'v2', name: 'twice.txt' } }, { resumed: true }));
      expect(fake.filesNamed('twice.txt')).toHaveLength(1);
    });

    it('a step that is not resumed does not look for an earlier upload', async () => {
      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'x', name: 'plain.txt' } }));
      expect(fake.driveRequests().filter((r) => r.method === 'GET')).toHaveLength(0);
    });

    it('a folder that does not exist fails naming the folder', async () => {
      const err = await failure(
        googleDrive.actions.upload_file.run(ctx(config({ folder_id: 'missingFolder123' }), { file: { text: 'x' } })),
      );
      const e = expectProviderError(err, 'fail', /folder missingFolder123 not found, or not shared with floyo-uploader@/);
      expect(e.status).toBe(404);
    });
  });

  describe('create_folder', () => {
    it('creates a folder (files.create, folder MIME type, the step key) in the config folder or parent_id', async () => {
      const c = ctx(config(), { name: 'Invoices' });
      const out = (await googleDrive.actions.create_folder.run(c)) as { id: string; name: string };
      const [create] = fake.driveRequests();
      expect([create.method, create.path, create.query.supportsAllDrives]).toEqual(['POST', '/drive/v3/files', 'true']);
      expect(JSON.parse(create.body.toString())).toEqual({
        name: 'Invoices',
        mimeType: FOLDER_MIME,
        parents: [folder],
        appProperties: { floyo_key: c.idempotencyKey },
      });
      expect(out).toEqual({ id: expect.any(String), name: 'Invoices' });
      expect(fake.files.get(out.id)).toMatchObject({ mimeType: FOLDER_MIME, parents: [folder] });

      const nested = (await googleDrive.actions.create_folder.run(ctx(config(), { name: '2026', parent_id: out.id }))) as { id: string };
      expect(fake.files.get(nested.id)!.parents).toEqual([out.id]);
    });

    it('a resumed step returns the folder its interrupted attempt made', async () => {
      const key = `exec-${randomUUID()}:mkdir`;
      const first = await googleDrive.actions.create_folder.run(ctx(config(), { name: 'Once' }, { idempotencyKey: key }));
      const again = await googleDrive.actions.create_folder.run(ctx(config(), { name: 'Once' }, { idempotencyKey: key, resumed: true }));
      expect(again).toEqual(first);
      expect([...fake.files.values()].filter((f) => f.name === 'Once')).toHaveLength(1);
    });
  });

  describe('tokens', () => {
    it('one token request serves several actions and the connection test (cached until a minute before expiry)', async () => {
      await googleDrive.actions.upload_file.run(ctx(config(), { file: { text: 'a' } }));
      await googleDrive.actions.create_folder.run(ctx(config(), { name: 'F' }));
      await googleDrive.test({ config: config(), signal: AbortSignal.timeout(5_000), transport });
      expect(fake.tokenRequests()).toHaveLength(1);
    });

    it('a token within a minute of expiry is not used: a new one is fetched', async () => {
      const shortLived = await new GoogleFake({ serviceAccounts: { [EMAIL]: publicKey }, tokenLifetimeS: 30 }).start();
      try {
        const cfg = { credentials_json: serviceAccount({ token_uri: shortLived.tokenUri }) };
        const t = transportWith(['127.0.0.1'], undefined, shortLived.base);
        await googleDrive.actions.create_folder.run(ctx(cfg, { name: 'a' }, { transport: t }));
        await googleDrive.actions.create_folder.run(ctx(cfg, { name: 'b' }, { transport: t }));
        expect(shortLived.tokenRequests()).toHaveLength(2);
      } finally {
        await shortLived.close();
      }
    });

    it("a token Drive refuses (401) is replaced once; a second 401 is an auth failure with Google's message", async () => {
      await googleDrive.actions.create_folder.run(ctx(config(), { name: 'warm' }));
      fake.revokeTokens();
      await googleDrive.actions.create_folder.run(ctx(config(), { name: 'after-revoke' }));
      expect(fake.tokenRequests()).toHaveLength(2);

      fake.failNext({ path: '/drive/v3/files' }, { status: 401, reason: 'authError', message: 'Invalid Credentials' }, 2);
      const err = await failure(googleDrive.actions.create_folder.run(ctx(config(), { name: 'never' })));
      expectProviderError(err, 'auth', /HTTP 401: Invalid Credentials \(authError\)/);
    });

    it("a key that does not match the service account: auth, with Google's error_description", async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const cfg = { credentials_json: serviceAccount({ private_key: other }), folder_id: folder };
      const err = await failure(googleDrive.actions.upload_file.run(ctx(cfg, { file: { text: 'x' } })));
      const e = expectProviderError(err, 'auth', /token request: HTTP 400: invalid_grant: Invalid JWT Signature\./);
      expect(e.message).not.toContain(other.split('\n')[3]);
      expect(uploads()).toHaveLength(0);
    });

    it('a token endpoint that is down (503) is a retry; Retry-After is passed on', async () => {
      fake.failNext({ path: '/token' }, { status: 503, body: { error: 'temporarily_unavailable' }, headers: { 'retry-after': '3' } });
      const e = expectProviderError(await failure(googleDrive.actions.create_folder.run(ctx(config(), { name: 'x' }))), 'retry');
      expect(e.retryAfterMs).toBe(3000);
    });

    it('credentials_json as an object works; unusable credentials are auth failures that quote none of them', async () => {
      await googleDrive.actions.create_folder.run(ctx({ credentials_json: serviceAccount(), folder_id: folder }, { name: 'obj' }));
      const broken = `{"type": "service_account", "private_key": "${KEY_LINE}`;
      const err = await failure(googleDrive.actions.create_folder.run(ctx({ credentials_json: broken }, { name: 'x' })));
      expectProviderError(err, 'auth', /credentials_json is not valid JSON/);
      const notPem = await failure(
        googleDrive.actions.create_folder.run(
          ctx(
            { credentials_json: serviceAccount({ private_key: `-----BEGIN PRIVATE KEY-----\n${KEY_LINE}\n-----END PRIVATE KEY-----\n` }) },
            { name: 'x' },
          ),
        ),
      );
      expectProviderError(notPem, 'auth', /not a PEM private key/);
      expect(fake.tokenRequests()).toHaveLength(1);
    });

    it('an OAuth client with a refresh token: the refresh_token grant; a wrong secret or a revoked token is auth', async () => {
      const cfg = { client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret, refresh_token: OAUTH.refreshToken, folder_id: folder };
      await googleDrive.actions.upload_file.run(ctx(cfg, { file: { text: 'by oauth', name: 'oauth.txt' } }));
      const form = new URLSearchParams(fake.tokenRequests()[0].body.toString());
      expect(Object.fromEntries(form)).toEqual({
        grant_type: 'refresh_token',
        client_id: OAUTH.clientId,
        client_secret: OAUTH.clientSecret,
        refresh_token: OAUTH.refreshToken,
      });
      expect(fake.filesNamed('oauth.txt')).toHaveLength(1);

      const wrongSecret = await failure(
        googleDrive.actions.create_folder.run(ctx({ ...cfg, client_secret: 'GOCSPX-wrong' }, { name: 'x' })),
      );
      expectProviderError(wrongSecret, 'auth', /HTTP 401: invalid_client: Unauthorized/);
      const revoked = await failure(googleDrive.actions.create_folder.run(ctx({ ...cfg, refresh_token: '1//revoked' }, { name: 'x' })));
      expectProviderError(revoked, 'auth', /HTTP 400: invalid_grant: Token has been expired or revoked\./);
    });
  });

  describe("Drive's refusals", () => {
    const create = () => googleDrive.actions.create_folder.run(ctx(config(), { name: 'x' }));
    const path = '/drive/v3/files';

    it('403 rateLimitExceeded / userRateLimitExceeded → retry', async () => {
      for (const reason of ['rateLimitExceeded', 'userRateLimitExceeded']) {
        fake.failNext({ path }, { status: 403, reason, message: 'Rate Limit Exceeded' });
        expectProviderError(await failure(create()), 'retry', new RegExp(`HTTP 403: Rate Limit Exceeded \\(${reason}\\)`));
      }
    });

    it('any other 403 (no permission on the folder) → auth with the reason', async () => {
      fake.failNext(
        { path },
        { status: 403, reason: 'insufficientFilePermissions', message: 'The user does not have sufficient permissions for this file.' },
      );
      expectProviderError(await failure(create()), 'auth', /sufficient permissions for this file\. \(insufficientFilePermissions\)/);
    });

    it('429 with Retry-After and 5xx → retry', async () => {
      fake.failNext({ path }, { status: 429, reason: 'rateLimitExceeded', message: 'Too many requests', headers: { 'retry-after': '7' } });
      expect(expectProviderError(await failure(create()), 'retry').retryAfterMs).toBe(7000);
      fake.failNext({ path }, { status: 500, reason: 'backendError', message: 'Backend Error' });
      expectProviderError(await failure(create()), 'retry', /HTTP 500: Backend Error/);
      fake.failNext({ path }, { drop: true });
      expectProviderError(await failure(create()), 'retry');
    });

    it('other 4xx → fail with the message', async () => {
      fake.failNext({ path }, { status: 400, reason: 'invalid', message: 'Invalid Value' });
      const e = expectProviderError(await failure(create()), 'fail', /create_folder: HTTP 400: Invalid Value \(invalid\)/);
      expect(e.status).toBe(400);
    });
  });

  describe('connection test', () => {
    it('gets a token and lists one file of the folder', async () => {
      const message = await googleDrive.test({ config: config(), signal: AbortSignal.timeout(5_000), transport });
      expect(message).toBe(`authenticated as ${EMAIL}; folder ${folder} is readable`);
      const [list] = fake.driveRequests();
      expect(list.query).toMatchObject({ pageSize: '1', q: `'${folder}' in parents`, supportsAllDrives: 'true' });
    });

    it('fails naming a folder that is not there, and as auth with a wrong key', async () => {
      const missing = await failure(
        googleDrive.test({ config: config({ folder_id: 'nope' }), signal: AbortSignal.timeout(5_000), transport }),
      );
      expectProviderError(missing, 'fail', /folder nope not found/);
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const wrong = await failure(
        googleDrive.test({
          config: { credentials_json: serviceAccount({ private_key: other }) },
          signal: AbortSignal.timeout(5_000),
          transport,
        }),
      );
      expectProviderError(wrong, 'auth', /Invalid JWT Signature/);
    });
  });

  describe('SSRF policy', () => {
    it('a token_uri on a private address (10.0.0.1) is refused before any connection', async () => {
      const started = Date.now();
      const err = await failure(
        googleDrive.actions.create_folder.run(
          ctx({ credentials_json: serviceAccount({ token_uri: 'http://10.0.0.1/token' }) }, { name: 'x' }),
        ),
      );
      expect(err.name).toBe('SsrfError');
      expect(err.message).toMatch(/10\.0\.0\.1/);
      expect(err.message).not.toContain(KEY_LINE);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('a token_uri whose name resolves to a private address is refused too', async () => {
      const resolver: Resolver = (host, cb) => cb(null, [{ address: '10.0.0.1', family: 4 }]);
      const t = transportWith(['127.0.0.1'], resolver);
      const err = await failure(
        googleDrive.actions.create_folder.run(
          ctx({ credentials_json: serviceAccount({ token_uri: 'http://oauth.internal.test/token' }) }, { name: 'x' }, { transport: t }),
        ),
      );
      expect(err.name).toBe('SsrfError');
    });

    it('so is a Drive base URL on a private address; the token endpoint still works when allowlisted', async () => {
      const t = transportWith(['127.0.0.1'], undefined, 'http://10.0.0.1:8080');
      const err = await failure(googleDrive.actions.create_folder.run(ctx(config(), { name: 'x' }, { transport: t })));
      expect(err.name).toBe('SsrfError');
      expect(fake.tokenRequests()).toHaveLength(1);
    });
  });
});
