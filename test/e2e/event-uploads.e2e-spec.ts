import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, get, multipartBody } from '../helpers/activity';
import { query } from '../helpers/databases';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { createS3Client, S3StorageDriver } from '../../src/platform/storage/s3-storage.driver';
import { StorageUnavailableError } from '../../src/platform/storage/storage.service';
import { binaryParser } from '../helpers/zip';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

const KEY = /^uploads\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;
const MAX = 16 * 1024 * 1024;

interface Driver {
  name: 'local' | 's3';
  env: Record<string, string>;
  /** Every stored object key. */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

function localDriver(): Driver {
  const dir = mkdtempSync(join(tmpdir(), 'floyo-uploads-'));
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name))]));
  return {
    name: 'local',
    env: { STORAGE_DRIVER: 'local', UPLOAD_DIR: dir },
    keys: async () => walk(dir).sort(),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function s3Driver(): Promise<Driver> {
  const s3: LocalS3 = await startLocalS3();
  return { name: 's3', env: s3.env, keys: () => s3.keys(), stop: () => s3.stop() };
}

const eventRows = (userId: string) =>
  query<{ id: string; storage_key: string | null }>(TEST_DATABASE_URL, 'SELECT id, storage_key FROM events WHERE user_id = $1', [userId]);

describe.each([['local'], ['s3']])('uploads with the %s storage driver', (driverName) => {
  let driver: Driver;
  let t: TestApp;
  beforeAll(async () => {
    driver = driverName === 'local' ? localDriver() : await s3Driver();
    t = await createTestApp({ ...ACTIVITY_ENV, ...driver.env, MAX_UPLOAD_BYTES: String(MAX) });
  });
  afterAll(async () => {
    await t.close();
    await driver.stop();
  });

  const upload = (u: TestUser, url = '/api/events/upload') => t.http().post(url).set(bearer(u.accessToken));
  const download = (u: TestUser, id: string) =>
    t.http().get(`/api/events/${id}/file`).set(bearer(u.accessToken)).buffer(true).parse(binaryParser);

  it('round-trips a file: upload streams it to storage, download returns the same bytes', async () => {
    const u = await registerAndLogin(t);
    const bytes = randomBytes(1_500_000);
    const res = await upload(u).attach('file', bytes, { filename: 'report.pdf', contentType: 'application/pdf' }).expect(201);
    expect(res.body).toEqual({
      message: 'File uploaded successfully',
      event_id: expect.any(String),
      file_path: expect.stringMatching(KEY),
    });
    expect(res.body.file_path.startsWith(`uploads/${u.id}/`)).toBe(true);
    expect(await driver.keys()).toContain(res.body.file_path);

    const file = await download(u, res.body.event_id).expect(200);
    expect(Buffer.compare(file.body as Buffer, bytes)).toBe(0);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(file.headers['x-content-type-options']).toBe('nosniff');

    const events = (await get(t, u, '/api/events').expect(200)).body;
    expect(events.items).toEqual([
      expect.objectContaining({
        id: res.body.event_id,
        event_type: 'file_upload',
        tool: 'upload',
        operation: 'upload',
        file_path: res.body.file_path,
        details: { filename: 'report.pdf', content_type: 'application/pdf', size: 1_500_000 },
      }),
    ]);
    // the extension of the client's file name counts as a pattern
    expect((await get(t, u, '/api/patterns').expect(200)).body.items).toEqual([
      expect.objectContaining({ file_extension: '.pdf', count: 1, tools: ['upload'] }),
    ]);
  });

  it('streams a large file (several multipart parts on S3) intact', async () => {
    const u = await registerAndLogin(t);
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    const res = await upload(u).attach('file', bytes, 'big.bin').expect(201);
    const file = await download(u, res.body.event_id).expect(200);
    expect((file.body as Buffer).length).toBe(bytes.length);
    expect(Buffer.compare(file.body as Buffer, bytes)).toBe(0);
  });

  it('never uses the client file name as a path: traversal and NUL names are metadata only', async () => {
    const u = await registerAndLogin(t);
    for (const [name, stored] of [
      ['../../etc/passwd', '../../etc/passwd'],
      ['..\\..\\windows\\win.ini', '..\\..\\windows\\win.ini'],
      ['evil\u0000.sh', 'evil.sh'],
      ['/absolute/path.txt', '/absolute/path.txt'],
    ]) {
      const form = multipartBody([{ name: 'file', filename: name, contentType: 'text/plain', data: `content of ${stored}` }]);
      const res = await upload(u).set('Content-Type', form.contentType).send(form.body).expect(201);
      expect(res.body.file_path).toMatch(KEY);
      const [event] = (await get(t, u, '/api/events?limit=1').expect(200)).body.items;
      expect(event.details.filename).toBe(stored);
      const file = await download(u, res.body.event_id).expect(200);
      expect((file.body as Buffer).toString()).toBe(`content of ${stored}`);
    }
    expect((await driver.keys()).every((k) => KEY.test(k))).toBe(true);
    expect(existsSync('/etc/passwd.part')).toBe(false);
  });

  it('takes event_type from the form (or the query), defaulting to file_upload; a bad one stores nothing', async () => {
    const u = await registerAndLogin(t);
    const form = await upload(u).field('event_type', 'screenshot').attach('file', Buffer.from('a'), 'a.png').expect(201);
    const q = await upload(u, '/api/events/upload?event_type=from_query').attach('file', Buffer.from('b'), 'b.png').expect(201);
    const types = (await get(t, u, '/api/events').expect(200)).body.items.map((e: { event_type: string }) => e.event_type);
    expect(types.sort()).toEqual(['from_query', 'screenshot']);
    expect([form.body.event_id, q.body.event_id]).toHaveLength(2);

    const before = await driver.keys();
    const bad = await upload(u).attach('file', Buffer.from('c'), 'c.png').field('event_type', 'x'.repeat(51)).expect(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'event_type']);
    const extra = await upload(u).attach('file', Buffer.from('d'), 'd.png').field('owner', 'someone').expect(422);
    expect(extra.body.detail[0].loc).toEqual(['body', 'owner']);
    expect(await driver.keys()).toEqual(before);
    expect(await eventRows(u.id)).toHaveLength(2);
  });

  it('refuses a request without a file part (422) or that is not multipart (415)', async () => {
    const u = await registerAndLogin(t);
    const none = await upload(u).field('event_type', 'x').expect(422);
    expect(none.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'file'], type: 'missing' })]);
    const json = await upload(u).send({ file: 'aGVsbG8=' }).expect(415);
    expect(json.body.detail).toMatch(/multipart/);
    const noBoundary = await upload(u).set('Content-Type', 'multipart/form-data').send('garbage');
    expect(noBoundary.status).toBe(400);
    const truncated = await upload(u)
      .set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\npartial');
    expect(truncated.status).toBe(400);
    const wrongField = await upload(u).attach('document', Buffer.from('x'), 'x.txt').expect(422);
    expect(wrongField.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual(
      expect.arrayContaining([
        ['body', 'document'],
        ['body', 'file'],
      ]),
    );
    const two = await upload(u).attach('file', Buffer.from('1'), '1.txt').attach('file', Buffer.from('2'), '2.txt');
    expect(two.status).toBeGreaterThanOrEqual(400);
    expect(two.status).toBeLessThan(500);
    expect(await eventRows(u.id)).toHaveLength(0);
    expect((await driver.keys()).filter((k) => k.startsWith(`uploads/${u.id}/`))).toEqual([]);
    await t.http().post('/api/events/upload').attach('file', Buffer.from('x'), 'x.txt').expect(401);
  });

  it('downloads only for the owner: anyone else, unknown ids and events without a file are 404; bad ids 422', async () => {
    const owner = await registerAndLogin(t);
    const other = await registerAndLogin(t);
    const res = await upload(owner).attach('file', Buffer.from('private'), 'p.txt').expect(201);
    const notFound = await download(other, res.body.event_id).expect(404);
    expect(JSON.parse((notFound.body as Buffer).toString())).toEqual({ detail: 'File not found' });
    await download(owner, '00000000-0000-4000-8000-000000000000').expect(404);
    const plain = await t
      .http()
      .post('/api/events')
      .set(bearer(owner.accessToken))
      .send({ event_type: 'x', file_path: res.body.file_path })
      .expect(201);
    // an ordinary event naming the same path does not grant access to the object
    await download(owner, plain.body.id).expect(404);
    const forged = await t
      .http()
      .post('/api/events')
      .set(bearer(other.accessToken))
      .send({ event_type: 'file_upload', tool: 'upload', file_path: res.body.file_path })
      .expect(201);
    await download(other, forged.body.id).expect(404);
    const bad = await download(owner, 'not-a-uuid').expect(404);
    expect(JSON.parse((bad.body as Buffer).toString())).toEqual({ detail: 'File not found' });
    await download(owner, "1' OR '1'='1").expect(404);
    await download(owner, res.body.event_id).expect(200);
  });

  it('a client that goes away mid-upload leaves nothing behind', async () => {
    const u = await registerAndLogin(t);
    const before = await driver.keys();
    const form = multipartBody([{ name: 'file', filename: 'half.bin', data: randomBytes(2 * 1024 * 1024) }]);
    const address = t.app.getHttpServer().address() ?? (await t.app.listen(0, '127.0.0.1'), t.app.getHttpServer().address());
    const { port } = address as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/events/upload',
        headers: { ...bearer(u.accessToken), 'Content-Type': form.contentType, 'Content-Length': form.body.length },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(form.body.subarray(0, 700_000), () => setTimeout(() => req.destroy(), 200));
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await driver.keys()).toEqual(before);
    expect(await eventRows(u.id)).toHaveLength(0);
    await upload(u).attach('file', Buffer.from('still fine'), 'ok.txt').expect(201);
  });

  describe('over MAX_UPLOAD_BYTES', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await createTestApp({ ...ACTIVITY_ENV, ...driver.env, MAX_UPLOAD_BYTES: '1024' });
    });
    afterAll(() => small.close());

    it('answers 413 and leaves nothing in storage or the database; exactly the limit is fine', async () => {
      const u = await registerAndLogin(small);
      const before = await driver.keys();
      for (const size of [1025, 64 * 1024, 3 * 1024 * 1024]) {
        const res = await small.http().post('/api/events/upload').set(bearer(u.accessToken)).attach('file', randomBytes(size), 'big.bin');
        expect(res.status).toBe(413);
        expect(res.body).toEqual({ detail: 'File exceeds the maximum upload size of 1024 bytes' });
      }
      expect(await driver.keys()).toEqual(before);
      expect(await eventRows(u.id)).toHaveLength(0);
      const ok = await small
        .http()
        .post('/api/events/upload')
        .set(bearer(u.accessToken))
        .attach('file', randomBytes(1024), 'ok.bin')
        .expect(201);
      expect(ok.body.file_path).toMatch(KEY);
      expect(await eventRows(u.id)).toHaveLength(1);
    });
  });

  it('GDPR deletion removes the user’s stored objects (and nobody else’s); retention removes old uploads', async () => {
    const gone = await registerAndLogin(t);
    const stays = await registerAndLogin(t);
    for (let i = 0; i < 3; i++)
      await upload(gone)
        .attach('file', Buffer.from(`g${i}`), `g${i}.txt`)
        .expect(201);
    const kept = await upload(stays).attach('file', Buffer.from('s'), 's.txt').expect(201);
    const old = await upload(stays).attach('file', Buffer.from('old'), 'old.txt').expect(201);
    expect((await driver.keys()).filter((k) => k.startsWith(`uploads/${gone.id}/`))).toHaveLength(3);

    await t.http().delete('/api/data/delete?confirm=true').set(bearer(gone.accessToken)).expect(200);
    expect((await driver.keys()).filter((k) => k.startsWith(`uploads/${gone.id}/`))).toEqual([]);
    expect(await driver.keys()).toEqual(expect.arrayContaining([kept.body.file_path, old.body.file_path]));

    await query(TEST_DATABASE_URL, `UPDATE events SET "timestamp" = now() - interval '200 days' WHERE id = $1`, [old.body.event_id]);
    const cleanup = await t.http().post('/api/data/retention/cleanup?retention_days=30').set(bearer(stays.accessToken)).expect(200);
    expect(cleanup.body.deleted_count).toBe(1);
    const keys = await driver.keys();
    expect(keys).toContain(kept.body.file_path);
    expect(keys).not.toContain(old.body.file_path);
    await download(stays, old.body.event_id).expect(404);
    await download(stays, kept.body.event_id).expect(200);
  });
});

describe('an S3 store that stops answering', () => {
  it('fails every call within S3_TIMEOUT_MS per attempt with a 503, instead of hanging', async () => {
    // accepts connections and never says a word (a hung store or a black-holed route)
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = createS3Client({
      bucket: 'b',
      endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      accessKeyId: 'k',
      secretAccessKey: 's',
      checksumMode: 'when_required',
      timeoutMs: 500,
    });
    const driver = new S3StorageDriver(client, 'b');
    try {
      for (const call of [
        () => driver.delete('uploads/a/b.txt'),
        () => driver.deletePrefix('uploads/a/'),
        () => driver.get('uploads/a/b.txt'),
      ]) {
        const started = Date.now();
        await expect(call()).rejects.toBeInstanceOf(StorageUnavailableError);
        expect(Date.now() - started).toBeLessThan(5_000); // 3 attempts of 0.5 s, with backoff
      }
      // through the API: a 503 the client can retry, and no event without its file
      const t = await createTestApp({
        ...ACTIVITY_ENV,
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'b',
        S3_ENDPOINT: endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'k',
        AWS_SECRET_ACCESS_KEY: 's',
        S3_TIMEOUT_MS: '1000',
      });
      try {
        const u = await registerAndLogin(t);
        const res = await t.http().post('/api/events/upload').set(bearer(u.accessToken)).attach('file', Buffer.from('hello'), 'a.txt');
        expect([res.status, res.headers['retry-after'], res.body]).toEqual([503, '5', { detail: 'File storage temporarily unavailable' }]);
        expect(await eventRows(u.id)).toEqual([]);
      } finally {
        await t.close();
      }
    } finally {
      client.destroy();
      silent.close();
    }
  });
});
