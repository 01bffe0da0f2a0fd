import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server for tests (the `smtp-server` package) on 127.0.0.1: EHLO, STARTTLS (or
 * implicit TLS) with the test certificate of test/fixtures/smtp-tls (for smtp.floyo.test,
 * localhost and 127.0.0.1, issued by a throwaway CA), AUTH PLAIN/LOGIN against known users —
 * only over TLS, as real servers require — and DATA. A message counts as received only once
 * the server acknowledged its DATA (250); replies can be scripted (recipients refused, DATA
 * failed with any code) and a DATA acknowledgement held until released.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'smtp-tls');
/** The CA that issued the fake's certificate (test only; its key was deleted). */
export const SMTP_FAKE_CA = readFileSync(join(FIXTURES, 'ca.pem'), 'utf8');
const CERT = readFileSync(join(FIXTURES, 'server.pem'), 'utf8');
const KEY = readFileSync(join(FIXTURES, 'server-key.pem'), 'utf8');
/** The host name the fake's certificate is for (resolve it to 127.0.0.1 in the test). */
export const SMTP_FAKE_HOST = 'smtp.floyo.test';

export interface SmtpFakeOptions {
  /** Users AUTH accepts (user → password). None: AUTH is not offered and not needed. */
  users?: Record<string, string>;
  /** Implicit TLS from the first byte (SMTPS, as on port 465). */
  secure?: boolean;
  /** Offer STARTTLS (default true; ignored with `secure`). */
  startTls?: boolean;
  port?: number;
}

export interface MimePart {
  /** Header names in lower case, values unfolded (encoded-words decoded). */
  headers: Record<string, string>;
  contentType: string;
  filename?: string;
  /** The body, transfer-decoded (base64, quoted-printable). */
  body: Buffer;
  parts: MimePart[];
}

export interface ReceivedMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: MimePart;
  /** The session was on TLS (STARTTLS or implicit) when DATA was sent. */
  secure: boolean;
  /** Who logged in, if anyone. */
  user?: string;
  /** The name the client gave with EHLO/HELO. */
  ehlo: string;
  /** The name the client asked for with SNI. */
  servername?: string;
}

export interface AuthAttempt {
  method: string;
  username: string;
  ok: boolean;
  secure: boolean;
}

/** A DATA acknowledgement held back: `arrived` resolves when the message is in, `release()` answers 250. */
export interface HeldData {
  arrived: Promise<{ envelope: { from: string; to: string[] }; raw: Buffer }>;
  release(): void;
  /** Answers the held DATA with a failure instead (e.g. 451). */
  fail(code: number, message: string): void;
}

type Reply = { code: number; message: string };

export class SmtpFake {
  readonly messages: ReceivedMessage[] = [];
  readonly authAttempts: AuthAttempt[] = [];
  /** Every connection's session: secure, ehlo, servername at close. */
  readonly connections: { secure: boolean; ehlo: string; servername?: string }[] = [];
  port = 0;
  private server: SMTPServer | null = null;
  private readonly closedSessions = new Set<string>();
  private readonly refusedRecipients = new Map<string, Reply>();
  private readonly dataFailures: Reply[] = [];
  private holds: { arrived: (m: { envelope: { from: string; to: string[] }; raw: Buffer }) => void; gate: Promise<Reply | null> }[] = [];
  /** Answers of held DATA not given yet (close() gives them). */
  private readonly pending = new Set<(reply: Reply | null) => void>();

  constructor(private readonly options: SmtpFakeOptions = {}) {}

  async start(): Promise<this> {
    const users = this.options.users;
    const secure = this.options.secure === true;
    this.server = new SMTPServer({
      secure,
      key: KEY,
      cert: CERT,
      name: SMTP_FAKE_HOST,
      logger: false,
      closeTimeout: 200,
      hideSTARTTLS: !secure && this.options.startTls === false,
      disabledCommands: [...(users ? [] : ['AUTH']), ...(!secure && this.options.startTls === false ? ['STARTTLS'] : [])],
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !users,
      // AUTH only over TLS (smtp-server's default, made explicit)
      allowInsecureAuth: false,
      onAuth: (auth, session, callback) => {
        const ok = !!users && users[auth.username ?? ''] === auth.password;
        this.authAttempts.push({ method: auth.method, username: auth.username ?? '', ok, secure: session.secure });
        if (!ok) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        const refused = this.refusedRecipients.get(address.address.toLowerCase());
        if (refused) return callback(Object.assign(new Error(refused.message), { responseCode: refused.code }));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => void this.acceptData(Buffer.concat(chunks), session, callback));
      },
      onClose: (session) => {
        this.closedSessions.add(session.id);
        this.connections.push({
          secure: session.secure,
          ehlo: session.hostNameAppearsAs,
          servername: (session as { servername?: string }).servername,
        });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server!.server.once('error', reject);
      this.server!.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const answer of this.pending) answer({ code: 421, message: 'shutting down' });
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** RCPT TO this address is answered `code message` (e.g. 550 mailbox unavailable, 450 try later). */
  refuseRecipient(address: string, code: number, message: string): void {
    this.refusedRecipients.set(address.toLowerCase(), { code, message });
  }

  /** The next DATA is answered `code message` instead of 250 (the message is not received). */
  failNextData(code: number, message: string): void {
    this.dataFailures.push({ code, message });
  }

  /** The next DATA is held: not acknowledged (and not received) until `release()`. */
  holdData(): HeldData {
    let arrived!: (m: { envelope: { from: string; to: string[] }; raw: Buffer }) => void;
    let answer!: (reply: Reply | null) => void;
    const arrivedPromise = new Promise<{ envelope: { from: string; to: string[] }; raw: Buffer }>((resolve) => (arrived = resolve));
    const gate = new Promise<Reply | null>((resolve) => (answer = resolve));
    this.pending.add(answer);
    void gate.then(() => this.pending.delete(answer));
    this.holds.push({ arrived, gate });
    return { arrived: arrivedPromise, release: () => answer(null), fail: (code, message) => answer({ code, message }) };
  }

  private async acceptData(
    raw: Buffer,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): Promise<void> {
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    const hold = this.holds.shift();
    let reply: Reply | null | undefined = this.dataFailures.shift();
    if (hold) {
      hold.arrived({ envelope, raw });
      reply = (await hold.gate) ?? reply;
    }
    if (reply) return callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    // a client that went away while DATA was held never gets the 250: not received
    if (this.closedSessions.has(session.id)) return callback(null, 'OK: nobody is listening');
    // received: the 250 goes out with this callback
    this.messages.push({
      envelope,
      raw,
      parsed: parseMessage(raw),
      secure: session.secure,
      user: session.user as string | undefined,
      ehlo: session.hostNameAppearsAs,
      servername: (session as { servername?: string }).servername,
    });
    callback(null, `OK: queued as fake-${this.messages.length}`);
  }
}

/**
 * Trust the fake's CA in this process for TLS connections that do not name their own CAs,
 * as `NODE_EXTRA_CA_CERTS=test/fixtures/smtp-tls/ca.pem` would for a new process: the
 * system roots plus this one. Certificate verification (chain and host name) stays on —
 * nothing here touches `rejectUnauthorized` — and the code under test has no hook for it.
 * Records the options of every `tls.connect` (for assertions on `servername`). `restore()`
 * undoes it.
 */
export function trustFakeSmtpCa(): { connects: tls.ConnectionOptions[]; restore(): void } {
  const original = tls.connect;
  const connects: tls.ConnectionOptions[] = [];
  const patched = function (this: unknown, ...args: unknown[]) {
    const options = args[0];
    if (options && typeof options === 'object') {
      connects.push({ ...(options as tls.ConnectionOptions) });
      if ((options as tls.ConnectionOptions).ca === undefined) args[0] = { ...options, ca: [...tls.rootCertificates, SMTP_FAKE_CA] };
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  (tls as { connect: unknown }).connect = patched;
  return {
    connects,
    restore: () => {
      (tls as { connect: unknown }).connect = original;
    },
  };
}

// --- a small MIME reader (RFC 5322 / 2045–2047), enough to check what the connector sent

/** Parses a raw message: headers, the body tree, transfer-decoded parts, attachment names. */
export function parseMessage(raw: Buffer): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw.toString('utf8') : raw.subarray(0, split).toString('utf8');
  const body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n([ \t])/g, '$1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const contentType = (headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const filename = param(headers['content-disposition'], 'filename') ?? param(headers['content-type'], 'name');
  const part: MimePart = { headers, contentType, filename, body: Buffer.alloc(0), parts: [] };
  const boundary = param(headers['content-type'], 'boundary');
  if (contentType.startsWith('multipart/') && boundary) {
    part.parts = splitMultipart(body, boundary).map(parseMessage);
    return part;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  part.body =
    encoding === 'base64'
      ? Buffer.from(body.toString('ascii').replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body.toString('ascii'))
        : body;
  return part;
}

/** Every leaf part, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length ? part.parts.flatMap(leaves) : [part];
}

/** The attachments of a message (leaves with a file name or `Content-Disposition: attachment`). */
export function attachmentsOf(message: MimePart): MimePart[] {
  return leaves(message).filter((p) => p.filename !== undefined || /^attachment/i.test(p.headers['content-disposition'] ?? ''));
}

/** The first leaf of a content type (text/plain, text/html), decoded as UTF-8. */
export function bodyOf(message: MimePart, contentType: string): string | undefined {
  const found = leaves(message).find((p) => p.contentType === contentType && p.filename === undefined);
  return found?.body.toString('utf8');
}

function param(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\*?=("([^"]*)"|[^;\\s]+)`, 'i').exec(header ?? '');
  return m ? (m[2] ?? m[1]) : undefined;
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const parts: Buffer[] = [];
  const delimiter = `--${boundary}`;
  let at = text.startsWith(delimiter) ? 0 : text.indexOf(`\r\n${delimiter}`) + 2;
  if (at < 0) return parts;
  for (;;) {
    at += delimiter.length;
    if (text.startsWith('--', at)) return parts;
    const start = text.indexOf('\r\n', at) + 2;
    const end = text.indexOf(`\r\n${delimiter}`, start);
    if (start < 2 || end < 0) return parts;
    parts.push(body.subarray(start, end));
    at = end + 2;
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const s = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(s.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded-words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`), adjacent ones joined. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}
