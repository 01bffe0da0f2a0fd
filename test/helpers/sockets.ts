import { io, type Socket } from 'socket.io-client';

/**
 * A Socket.IO client that resolves once connected or rejects with the connect_error: the
 * websocket transport only unless `transports: 'default'` asks for socket.io-client's
 * defaults (long-polling first, then the upgrade), as a stock SPA client connects.
 */
export function connectSocket(
  port: number,
  token?: string,
  extra: { headers?: Record<string, string>; transports?: 'default' | ('polling' | 'websocket')[] } = {},
): Promise<Socket> {
  const transports = extra.transports ?? ['websocket'];
  const socket = io(`http://127.0.0.1:${port}`, {
    ...(transports === 'default' ? {} : { transports }),
    auth: token ? { token } : {},
    extraHeaders: extra.headers,
    reconnection: false,
    timeout: 5_000,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Collects every event of `name` a socket receives. */
export function record<T = Record<string, unknown>>(socket: Socket, name: string): T[] {
  const seen: T[] = [];
  socket.on(name, (payload: T) => seen.push(payload));
  return seen;
}

export async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const emitWithAck = <T>(socket: Socket, event: string, ...args: unknown[]): Promise<T> =>
  socket.timeout(5_000).emitWithAck(event, ...args) as Promise<T>;
