import net from 'node:net';

/**
 * A TCP proxy the test controls, placed between the service and PostgreSQL or Redis so a
 * test can cut, stall or restore a dependency without touching the shared servers.
 * - `cut()`: drop every connection and refuse new ones (a dead server);
 * - `stall()`: keep connections open but hold the server's answers back (a hung server),
 *   `resume()` delivers them;
 * - `latency(ms)`: deliver every answer `ms` late (a slow server); `latency(0)` ends it.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  private stalled = false;
  private delayMs = 0;
  private readonly held: { socket: net.Socket; data: Buffer }[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string, defaultPort: number): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname || '127.0.0.1', Number(u.port || defaultPort));
  }

  async start(): Promise<this> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** The same URL, pointed at the proxy. */
  url(original: string): string {
    const u = new URL(original);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.on('data', (data: Buffer) => {
      if (this.delayMs > 0) setTimeout(() => this.deliver(client, data), this.delayMs);
      else this.deliver(client, data);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** An answer goes out now, or is held while stalled (also one that waited out a latency). */
  private deliver(client: net.Socket, data: Buffer): void {
    if (this.stalled) this.held.push({ socket: client, data });
    else if (!client.destroyed) client.write(data);
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  /** Holds the server's answers back (connections stay open). */
  stall(): void {
    this.stalled = true;
  }

  latency(ms: number): void {
    this.delayMs = ms;
  }

  /** Delivers what was held back and forwards again. */
  resume(): void {
    this.stalled = false;
    for (const { socket, data } of this.held.splice(0)) if (!socket.destroyed) socket.write(data);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
