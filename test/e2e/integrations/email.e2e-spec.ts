import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type {
  ActionContext,
  ActionFile,
  FileOpener,
  FileRef,
  ProviderTransport,
} from '../../../src/domains/integrations/connectors/connector';
import { ProviderError } from '../../../src/domains/integrations/connectors/connector';
import { email, messageIdFor } from '../../../src/domains/integrations/connectors/email';
import { type Resolver, SafeHttpClient } from '../../../src/platform/http/outbound/safe-http';
import { SsrfPolicy } from '../../../src/platform/http/outbound/ssrf-policy';
import { attachmentsOf, bodyOf, SMTP_FAKE_HOST, SmtpFake, trustFakeSmtpCa } from '../../fakes/smtp-fake';
import { freePort } from '../../helpers/processes';
import { expectProviderError as expectFrom, rejection } from '../../helpers/provider-errors';

const USER = 'floyo-mailer';
const PASSWORD = 'smtp-password-value-42';
const FROM = 'robot@floyo.example';

/** smtp.floyo.test (the name on the fake's certificate) and wrong.floyo.test are this host; internal.floyo.test is private. */
const resolver: Resolver = (host, cb) => {
  if (host === SMTP_FAKE_HOST || host === 'wrong.floyo.test') return cb(null, [{ address: '127.0.0.1', family: 4 }]);
  if (host === 'internal.floyo.test') return cb(null, [{ address: '10.0.0.1', family: 4 }]);
  cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
};

class TextFiles implements FileOpener {
  open(ref: FileRef): Promise<ActionFile> {
    if (!('text' in ref)) return Promise.reject(new ProviderError('Email', 'fail', 'file not found'));
    const bytes = Buffer.from(ref.text, 'utf8');
    return Promise.resolve({
      name: ref.name ?? 'floyo.txt',
      contentType: ref.content_type ?? 'text/plain; charset=utf-8',
      size: bytes.length,
      open: () => Promise.resolve(Readable.from([bytes])),
    });
  }
}

const failure = rejection;
const expectProviderError = (err: Error, kind: ProviderError['kind'], message?: RegExp): ProviderError =>
  expectFrom(err, 'Email', { kind, message, secrets: [PASSWORD, Buffer.from(PASSWORD).toString('base64')] });

describe('Email connector against a real SMTP server (smtp-server: STARTTLS, AUTH, DATA)', () => {
  let fake: SmtpFake;
  let http: SafeHttpClient;
  let transport: ProviderTransport;
  let trust: ReturnType<typeof trustFakeSmtpCa>;
  const servers: SmtpFake[] = [];

  const config = (overrides: Record<string, unknown> = {}) => ({
    smtp_host: SMTP_FAKE_HOST,
    smtp_port: fake.port,
    username: USER,
    password: PASSWORD,
    from_email: FROM,
    use_tls: true,
    ...overrides,
  });

  function ctx(cfg: Record<string, unknown>, params: Record<string, unknown>, over: Partial<ActionContext> = {}): ActionContext {
    return {
      config: cfg,
      params,
      idempotencyKey: `exec-${randomUUID()}`,
      resumed: false,
      signal: AbortSignal.timeout(20_000),
      transport,
      files: new TextFiles(),
      ...over,
    };
  }
  const send = (cfg: Record<string, unknown>, params: Record<string, unknown>, over: Partial<ActionContext> = {}) =>
    email.actions.send_email.run(ctx(cfg, { subject: 'Hello', text: 'Hi there', to: ['ada@example.com'], ...params }, over));

  async function server(options: ConstructorParameters<typeof SmtpFake>[0]): Promise<SmtpFake> {
    const s = await new SmtpFake(options).start();
    servers.push(s);
    return s;
  }

  beforeAll(async () => {
    fake = await server({ users: { [USER]: PASSWORD } });
    http = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024, resolver);
    transport = {
      http,
      timeoutMs: 5_000,
      endpoints: { githubApiUrl: '', dropboxApiUrl: '', dropboxContentUrl: '', googleDriveUrl: '', googleOAuthTokenUrl: '' },
    };
  });
  afterAll(async () => {
    await http.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  beforeEach(() => {
    trust = trustFakeSmtpCa();
    fake.messages.length = 0;
    fake.authAttempts.length = 0;
  });
  afterEach(() => trust.restore());

  describe('send_email', () => {
    it('over STARTTLS (certificate checked against smtp_host) with AUTH: headers, bodies, attachment, envelope with bcc', async () => {
      const c = ctx(config(), {
        to: ['ada@example.com'],
        cc: ['grace@example.com'],
        bcc: ['hidden@example.com'],
        subject: 'Weekly report ✓',
        text: 'The totals are attached.',
        html: '<p>The totals are <b>attached</b>.</p>',
        reply_to: 'ops@floyo.example',
        attachment: { text: 'id,total\n1,42\n', name: 'totals.csv', content_type: 'text/csv' },
      });
      const out = (await email.actions.send_email.run(c)) as Record<string, unknown>;

      expect(fake.messages).toHaveLength(1);
      const [m] = fake.messages;
      expect(m.envelope).toEqual({ from: FROM, to: ['ada@example.com', 'grace@example.com', 'hidden@example.com'] });
      expect({ secure: m.secure, user: m.user, servername: m.servername }).toEqual({
        secure: true,
        user: USER,
        servername: SMTP_FAKE_HOST,
      });
      expect(m.ehlo).toMatch(/^[a-z0-9.-]+$/i);
      expect(fake.authAttempts).toEqual([{ method: 'PLAIN', username: USER, ok: true, secure: true }]);

      const h = m.parsed.headers;
      expect(h.from).toBe(FROM);
      expect(h.to).toBe('ada@example.com');
      expect(h.cc).toBe('grace@example.com');
      expect(h.bcc).toBeUndefined();
      expect(m.raw.toString()).not.toContain('hidden@example.com');
      expect(h['reply-to']).toBe('ops@floyo.example');
      expect(h.subject).toBe('Weekly report ✓');
      expect(h['message-id']).toBe(`<${c.idempotencyKey}@floyo>`);
      expect(bodyOf(m.parsed, 'text/plain')).toBe('The totals are attached.');
      expect(bodyOf(m.parsed, 'text/html')).toBe('<p>The totals are <b>attached</b>.</p>');
      const [attachment] = attachmentsOf(m.parsed);
      expect(attachmentsOf(m.parsed)).toHaveLength(1);
      expect({ name: attachment.filename, type: attachment.contentType, body: attachment.body.toString() }).toEqual({
        name: 'totals.csv',
        type: 'text/csv',
        body: 'id,total\n1,42\n',
      });

      expect(out).toEqual({
        message_id: `<${c.idempotencyKey}@floyo>`,
        accepted: ['ada@example.com', 'grace@example.com', 'hidden@example.com'],
        rejected: [],
        response: '250 OK: queued as fake-1',
      });
      // the connector connected to the address it resolved and asked TLS to check the name
      const upgrade = trust.connects.at(-1)!;
      expect({ servername: upgrade.servername, host: upgrade.host, rejectUnauthorized: upgrade.rejectUnauthorized }).toEqual({
        servername: SMTP_FAKE_HOST,
        host: '127.0.0.1',
        rejectUnauthorized: undefined,
      });
    });

    it("without to: the integration's to_addresses; check() names `to` when neither has recipients", async () => {
      await email.actions.send_email.run(ctx(config({ to_addresses: ['team@example.com', 'lead@example.com'] }), { subject: 'Defaults' }));
      expect(fake.messages[0].envelope.to).toEqual(['team@example.com', 'lead@example.com']);
      expect(bodyOf(fake.messages[0].parsed, 'text/plain')).toBe('');
      const check = email.actions.send_email.check!;
      expect(check({ subject: 'x' }, config())).toEqual([{ field: 'to', msg: expect.stringMatching(/no recipients/) }]);
      expect(check({ subject: 'x', to: [] }, config({ to_addresses: [] }))).toHaveLength(1);
      expect(check({ subject: 'x' }, config({ to_addresses: ['a@example.com'] }))).toEqual([]);
      expect(check({ subject: 'x', to: ['a@example.com'] }, config())).toEqual([]);
      const err = await failure(email.actions.send_email.run(ctx(config(), { subject: 'nobody' })));
      expectProviderError(err, 'fail', /no recipients/);
    });

    it('the Message-ID comes from the idempotency key: a re-send after a crash is the same message', async () => {
      const key = `exec-${randomUUID()}:notify/1`;
      await send(config(), {}, { idempotencyKey: key });
      await send(config(), {}, { idempotencyKey: key, resumed: true });
      const ids = fake.messages.map((m) => m.parsed.headers['message-id']);
      expect(ids).toEqual([messageIdFor(key), messageIdFor(key)]);
      expect(ids[0]).toBe(`<${key.replace(':', '=3A').replace('/', '=2F')}@floyo>`);
    });

    it('a partly refused recipient list is sent, the refused ones reported; all refused (550) → fail with the reply', async () => {
      fake.refuseRecipient('gone@example.com', 550, 'Requested action not taken: mailbox unavailable');
      const out = (await send(config(), { to: ['ada@example.com', 'gone@example.com'] })) as Record<string, unknown>;
      expect(out).toMatchObject({ accepted: ['ada@example.com'], rejected: ['gone@example.com'] });
      expect(fake.messages[0].envelope.to).toEqual(['ada@example.com']);

      const err = await failure(send(config(), { to: ['gone@example.com'] }));
      const e = expectProviderError(err, 'fail', /550 Requested action not taken: mailbox unavailable/);
      expect(e.status).toBe(550);
      expect(fake.messages).toHaveLength(1);
    });

    it('a 4xx reply is a retry (451 on DATA, 450 on RCPT); a 5xx on DATA (552) fails with the reply', async () => {
      fake.failNextData(451, 'Requested action aborted: local error in processing');
      expectProviderError(await failure(send(config(), {})), 'retry', /451 Requested action aborted/);
      fake.refuseRecipient('busy@example.com', 450, 'Mailbox busy, try again later');
      expectProviderError(await failure(send(config(), { to: ['busy@example.com'] })), 'retry', /450 Mailbox busy/);
      fake.failNextData(552, 'Message size exceeds fixed maximum message size');
      expectProviderError(await failure(send(config(), {})), 'fail', /552 Message size exceeds/);
      expect(fake.messages).toHaveLength(0);
    });

    it('a wrong password → auth (535), and nothing is sent', async () => {
      const err = await failure(send(config({ password: 'not-the-password' }), {}));
      expectProviderError(err, 'auth', /535/);
      expect(err.message).not.toContain('not-the-password');
      expect(fake.authAttempts).toEqual([{ method: 'PLAIN', username: USER, ok: false, secure: true }]);
      expect(fake.messages).toHaveLength(0);
    });

    it('use_tls with a server that offers no STARTTLS: fails before AUTH (no password in clear); use_tls false sends in clear', async () => {
      const plain = await server({ startTls: false });
      const err = await failure(send(config({ smtp_port: plain.port }), {}));
      expectProviderError(err, 'fail', /does not offer STARTTLS/);
      expect(plain.authAttempts).toHaveLength(0);
      expect(plain.messages).toHaveLength(0);

      await send(config({ smtp_port: plain.port, use_tls: false, username: undefined, password: undefined }), {});
      expect(plain.messages).toHaveLength(1);
      expect(plain.messages[0].secure).toBe(false);
    });

    it('certificate checking is on: an untrusted CA, or a certificate for another name, is refused (fail) and nothing is sent', async () => {
      trust.restore();
      const untrusted = await failure(send(config(), {}));
      expectProviderError(untrusted, 'fail', /TLS certificate of smtp\.floyo\.test:\d+ was refused: .*(certificate|self-signed)/);
      trust = trustFakeSmtpCa();
      const wrongName = await failure(send(config({ smtp_host: 'wrong.floyo.test' }), {}));
      expectProviderError(wrongName, 'fail', /altnames/);
      expect(fake.authAttempts).toHaveLength(0);
      expect(fake.messages).toHaveLength(0);
    });

    it('a refused connection and a server that never greets → retry', async () => {
      const closed = await freePort();
      expectProviderError(await failure(send(config({ smtp_port: closed }), {})), 'retry', /ECONNREFUSED/);

      const silent = net.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const quick = { ...transport, timeoutMs: 500 };
        const err = await failure(send(config({ smtp_port: (silent.address() as AddressInfo).port }), {}, { transport: quick }));
        expectProviderError(err, 'retry', /Greeting never received|Timeout/i);
      } finally {
        silent.close();
      }
    });

    it('DATA held by the server: received only once acknowledged; the step aborted meanwhile gets no 250 and the message does not count', async () => {
      const held = fake.holdData();
      const sending = send(config(), { subject: 'held' });
      const arrived = await held.arrived;
      expect(arrived.envelope.to).toEqual(['ada@example.com']);
      expect(fake.messages).toHaveLength(0);
      held.release();
      await expect(sending).resolves.toMatchObject({ accepted: ['ada@example.com'] });
      expect(fake.messages).toHaveLength(1);

      const second = fake.holdData();
      const abort = new AbortController();
      const aborted = send(config(), { subject: 'abandoned' }, { signal: abort.signal });
      await second.arrived;
      abort.abort(new Error('worker stopping'));
      await expect(aborted).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      second.release();
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.messages.map((m) => m.parsed.headers.subject)).toEqual(['held']);
    });
  });

  describe('connection test', () => {
    it('verify(): connection, STARTTLS and the login', async () => {
      expect(await email.test({ config: config(), signal: AbortSignal.timeout(5_000), transport })).toBe(
        `SMTP server ${SMTP_FAKE_HOST}:${fake.port} accepted the connection and the login of ${USER}`,
      );
      expect(fake.authAttempts).toEqual([{ method: 'PLAIN', username: USER, ok: true, secure: true }]);
      expect(fake.messages).toHaveLength(0);
    });

    it('a wrong password → auth', async () => {
      const err = await failure(email.test({ config: config({ password: 'wrong-one' }), signal: AbortSignal.timeout(5_000), transport }));
      expectProviderError(err, 'auth', /Invalid login: 535/);
    });
  });

  describe('SSRF policy', () => {
    it('smtp_host 10.0.0.1, or a name resolving to it, is refused before any connection', async () => {
      const connections = fake.connections.length;
      for (const host of ['10.0.0.1', 'internal.floyo.test']) {
        const err = await failure(send(config({ smtp_host: host }), {}));
        expect(err.name).toBe('SsrfError');
        expect(err.message).toContain(host);
        expect(err.message).not.toContain(PASSWORD);
        const tested = await failure(email.test({ config: config({ smtp_host: host }), signal: AbortSignal.timeout(5_000), transport }));
        expect(tested.name).toBe('SsrfError');
      }
      expect(trust.connects).toHaveLength(0);
      expect(fake.connections.length).toBe(connections);
    });
  });

  // Port 465 means implicit TLS: only a process that may bind it (root) can run a server there.
  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('port 465: implicit TLS from the first byte (SMTPS), then AUTH and DATA', async () => {
    const smtps = await server({ users: { [USER]: PASSWORD }, secure: true, port: 465 });
    await send(config({ smtp_port: 465 }), { subject: 'over smtps' });
    expect(smtps.messages).toHaveLength(1);
    expect(smtps.messages[0]).toMatchObject({ secure: true, user: USER, servername: SMTP_FAKE_HOST });
    expect(trust.connects[0]).toMatchObject({ servername: SMTP_FAKE_HOST });
  });
});
