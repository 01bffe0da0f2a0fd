import { connect as netConnect, isIP, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import type { Readable } from 'node:stream';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { ActionFile, ConnectorDefinition, FileRef, ProviderTransport } from './connector';
import { networkProviderError, ProviderError } from './connector';
import { FILE_PARAM } from './files';
import { type RecordingHttpClient, summariseStream } from './recording-http';

const PROVIDER = 'Email';
const EMAIL = { type: 'string', format: 'email', maxLength: 254 };
const RECIPIENTS = { type: 'array', items: EMAIL, minItems: 1, maxItems: 50, uniqueItems: true };
const BODY_MAX = 1_000_000;
const NETWORK_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKET',
  'ECONNECTION',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const CERTIFICATE_PROBLEM = /certificate|altnames|self[- ]signed|unable to (get|verify)|CERT_/i;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !!x.trim()) : []);

/**
 * The Message-ID of a step's message: derived from its idempotency key, so a message sent
 * again after a crash is the same message to the recipient's client. Characters outside
 * `[A-Za-z0-9_-]` are written `=XX` (UTF-8 bytes) so the id stays a valid msg-id.
 */
export function messageIdFor(idempotencyKey: string): string {
  const local = Array.from(Buffer.from(idempotencyKey, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_-]/.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<${local}@floyo>`;
}

/** The EHLO name: this host's name when it is a fully qualified one, else the sender's domain. */
function ehloName(config: Record<string, unknown>): string {
  const host = osHostname();
  const name = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(host) ? host : String(config.from_email ?? '').split('@')[1];
  return name && /^[A-Za-z0-9.-]+$/.test(name) ? name : 'localhost';
}

interface Smtp {
  transporter: Transporter<SMTPTransport.SentMessageInfo>;
  host: string;
  port: number;
  login: string | undefined;
  done(): void;
}

/**
 * A nodemailer SMTP transport for one send or verify. The host is resolved once through the
 * transport's SSRF policy (`resolveHost`) and the connection is opened to that address by
 * `getSocket` (nodemailer's hook for its own sockets), so nodemailer never resolves or
 * connects on its own; TLS still checks the certificate against the configured host name
 * (`servername`). Port 465 is implicit TLS; any other port upgrades with STARTTLS when the
 * server offers it, and requires it when `use_tls` (the default) is set. The step's signal
 * destroys the socket.
 */
async function smtpFor(transport: ProviderTransport, config: Record<string, unknown>, signal: AbortSignal): Promise<Smtp> {
  const host = String(config.smtp_host ?? '').trim();
  const port = Number(config.smtp_port);
  const bare = host.replace(/^\[|\]$/g, '');
  let address: string;
  try {
    address = await transport.http.resolveHost(bare);
  } catch (err) {
    throw networkProviderError(PROVIDER, err, `connecting to ${host}`, signal);
  }
  const implicitTls = port === 465;
  const login = str(config.username);
  const sockets = new Set<Socket>();
  const onAbort = () => sockets.forEach((s) => s.destroy(signal.reason as Error));
  signal.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = transport.timeoutMs;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const options: SMTPTransport.Options = {
    host: address,
    port,
    secure: implicitTls,
    requireTLS: !implicitTls && config.use_tls !== false,
    name: ehloName(config),
    auth: login ? { user: login, pass: typeof config.password === 'string' ? config.password : '' } : undefined,
    tls: { ...(isIP(bare) ? {} : { servername: bare }), minVersion: 'TLSv1.2' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    getSocket(_options, callback) {
      if (signal.aborted) return callback(signal.reason as Error, null);
      const socket = netConnect({ host: address, port });
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
      const failed = (err: Error) => {
        clearTimeout(timer);
        callback(err, null);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', failed);
        callback(null, { connection: socket });
      });
    },
  };
  const transporter = nodemailer.createTransport(options);
  return {
    transporter,
    host,
    port,
    login,
    done() {
      signal.removeEventListener('abort', onAbort);
      sockets.forEach((s) => s.destroy());
      transporter.close();
    },
  };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  name?: string;
}

/**
 * A nodemailer failure as a ProviderError: the login refused (535, EAUTH) or required (530)
 * → auth; 4xx replies, refused/dropped/timed-out connections → retry; 5xx replies (550
 * mailbox unavailable, …) → fail with the server's reply; the server's certificate refused,
 * or STARTTLS required but not offered → fail. The password never appears.
 */
function smtpError(err: unknown, what: string, config: Record<string, unknown>, signal: AbortSignal): Error {
  if (err instanceof ProviderError || signal.aborted) return err as Error;
  const e = (err ?? {}) as SmtpFailure;
  if (e.name === 'SsrfError') return err as Error;
  const password = typeof config.password === 'string' ? config.password : '';
  const clean = (s: string) => (password.length >= 4 ? s.split(password).join('••••') : s).slice(0, 600);
  const server = `${String(config.smtp_host)}:${String(config.smtp_port)}`;
  const text = clean(`${PROVIDER} ${what}: ${e.message ?? String(err)}`);
  const code = e.responseCode;
  if (e.code === 'EAUTH' && !(code && code >= 400 && code < 500)) return new ProviderError(PROVIDER, 'auth', text, undefined, code);
  if (code === 530) return new ProviderError(PROVIDER, 'auth', text, undefined, code);
  if (CERTIFICATE_PROBLEM.test(e.message ?? '')) {
    return new ProviderError(PROVIDER, 'fail', clean(`${PROVIDER} ${what}: the TLS certificate of ${server} was refused: ${e.message}`));
  }
  if (e.code === 'ETLS' && code && code >= 500) {
    return new ProviderError(
      PROVIDER,
      'fail',
      clean(`${PROVIDER} ${what}: ${server} does not offer STARTTLS, which use_tls requires: ${e.message}`),
      undefined,
      code,
    );
  }
  if (code && code >= 500) return new ProviderError(PROVIDER, 'fail', text, undefined, code);
  if (code && code >= 400) return new ProviderError(PROVIDER, 'retry', text, undefined, code);
  if (NETWORK_CODES.has(e.code ?? '') || e.code === 'ETLS') return new ProviderError(PROVIDER, 'retry', text);
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new ProviderError(PROVIDER, 'fail', text);
  return new ProviderError(PROVIDER, 'retry', text);
}

const address = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);

/**
 * A dry run of send_email: the message is built by nodemailer (its stream transport, no
 * connection) and recorded as the SMTP server would get it — the envelope, the top-level
 * headers, the attachments' names and sizes — nothing is sent.
 */
async function recordMessage(
  recorder: RecordingHttpClient,
  config: Record<string, unknown>,
  message: SendMailOptions,
  attachment: ActionFile | null,
): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'crlf' }).sendMail(message);
  const raw = (built.message as Buffer).toString('utf8');
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  // the SMTP transport sends Bcc in the envelope only (the stream transport keeps the header)
  delete headers.bcc;
  const attachments = attachment
    ? [{ filename: attachment.name, content_type: attachment.contentType, ...(await summariseStream(await attachment.open())) }]
    : [];
  const envelope = built.envelope as { from: string; to: string[] };
  recorder.record({
    kind: 'smtp',
    server: `${String(config.smtp_host)}:${String(config.smtp_port)}`,
    login: str(config.username) ?? null,
    envelope: { from: envelope.from, to: envelope.to },
    headers,
    attachments,
  });
  return { message_id: built.messageId, accepted: envelope.to, rejected: [], response: null };
}

/**
 * Mail through the integration's SMTP server (nodemailer). Each message's Message-ID comes
 * from the step's idempotency key; SMTP cannot be asked whether a message arrived, so a
 * resumed step sends again and the recipient's client sees the same message.
 */
export const email: ConnectorDefinition = {
  type: 'email',
  provider: PROVIDER,
  actions: {
    send_email: {
      description: "Send an email from the integration's from_email (to: the integration's to_addresses unless given)",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['subject'],
        properties: {
          to: { ...RECIPIENTS, description: "Recipients (default: the integration's to_addresses)" },
          cc: { ...RECIPIENTS, description: 'Copy recipients' },
          bcc: { ...RECIPIENTS, description: 'Blind-copy recipients (in the envelope only, never in the headers)' },
          subject: { type: 'string', minLength: 1, maxLength: 998, description: 'Subject line (templates allowed)' },
          text: { type: 'string', maxLength: BODY_MAX, description: 'Plain-text body' },
          html: { type: 'string', maxLength: BODY_MAX, description: 'HTML body (with text: the alternative)' },
          attachment: FILE_PARAM,
          reply_to: { ...EMAIL, description: 'Reply-To address' },
        },
      },
      check(params, config) {
        if (list(params.to).length || list(config.to_addresses).length) return [];
        return [{ field: 'to', msg: 'no recipients: give to, or set to_addresses on the integration' }];
      },
      async run(ctx) {
        const { params, config } = ctx;
        const what = 'send_email';
        const to = list(params.to).length ? list(params.to) : list(config.to_addresses);
        if (!to.length)
          throw new ProviderError(PROVIDER, 'fail', `${PROVIDER} ${what}: no recipients (give to, or set to_addresses on the integration)`);
        let attachment: { file: ActionFile; stream: Readable } | null = null;
        if (params.attachment) {
          const file = await ctx.files.open(params.attachment as FileRef);
          attachment = { file, stream: await file.open() };
        }
        const text = typeof params.text === 'string' ? params.text : undefined;
        const html = typeof params.html === 'string' ? params.html : undefined;
        const message: SendMailOptions = {
          from: String(config.from_email),
          to,
          cc: list(params.cc).length ? list(params.cc) : undefined,
          bcc: list(params.bcc).length ? list(params.bcc) : undefined,
          replyTo: str(params.reply_to),
          subject: String(params.subject),
          text: text ?? (html === undefined ? '' : undefined),
          html,
          messageId: messageIdFor(ctx.idempotencyKey),
          attachments: attachment
            ? [{ filename: attachment.file.name, content: attachment.stream, contentType: attachment.file.contentType }]
            : undefined,
        };
        if (ctx.transport.dryRun) {
          try {
            return await recordMessage(ctx.transport.dryRun, config, message, attachment?.file ?? null);
          } finally {
            attachment?.stream.destroy();
          }
        }
        let smtp: Smtp | null = null;
        try {
          smtp = await smtpFor(ctx.transport, config, ctx.signal);
          const info = await smtp.transporter.sendMail(message);
          return {
            message_id: info.messageId,
            accepted: info.accepted.map(address),
            rejected: info.rejected.map(address),
            response: info.response,
          };
        } catch (err) {
          throw smtpError(err, what, config, ctx.signal);
        } finally {
          smtp?.done();
          attachment?.stream.destroy();
        }
      },
    },
  },
  async test(ctx) {
    let smtp: Smtp | null = null;
    try {
      smtp = await smtpFor(ctx.transport, ctx.config, ctx.signal);
      await smtp.transporter.verify();
      return `SMTP server ${smtp.host}:${smtp.port} accepted the connection${smtp.login ? ` and the login of ${smtp.login}` : ''}`;
    } catch (err) {
      throw smtpError(err, 'test', ctx.config, ctx.signal);
    } finally {
      smtp?.done();
    }
  },
};
