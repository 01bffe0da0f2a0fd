import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import type { LivenessThread, startLivenessThread as Start } from '../../src/platform/health/liveness-thread';
import { assertBuilt, freePort, ROOT, startService } from '../helpers/processes';

/**
 * LIVENESS_PORT: GET /health/liveness from a thread of its own. The thread module is taken
 * from dist/ (the worker file is the compiled one), so this is what production runs.
 */
describe('liveness listener on its own thread (LIVENESS_PORT)', () => {
  beforeAll(() => assertBuilt());

  it('the API serves it beside PORT; other paths and methods get a clear 4xx', async () => {
    const livenessPort = await freePort();
    const api = await startService('api', { LIVENESS_PORT: String(livenessPort) });
    try {
      const base = `http://127.0.0.1:${livenessPort}`;
      const res = await fetch(`${base}/health/liveness`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'alive', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expect((await fetch(`${base}/health/liveness?x=1`, { method: 'HEAD' })).status).toBe(200);

      const other = await fetch(`${base}/api/auth/me`);
      expect(other.status).toBe(404);
      expect(((await other.json()) as { detail: string }).detail).toMatch(/serves \/health\/liveness only/);
      const post = await fetch(`${base}/health/liveness`, { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(((await post.json()) as { detail: string }).detail).toMatch(/use GET/);
      // the API port still has its own liveness route
      expect((await fetch(`http://127.0.0.1:${api.port}/health/liveness`)).status).toBe(200);
    } finally {
      expect(await api.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses to boot when the port is taken, naming it', async () => {
    const livenessPort = await freePort();
    const first = await startService('api', { LIVENESS_PORT: String(livenessPort) });
    try {
      // the second API's own PORT comes from freePort() and can be taken meanwhile by a
      // process of a parallel test file: such a failure is not the one under test, retry
      let failure = '';
      for (let attempt = 0; attempt < 3; attempt++) {
        failure = await startService('api', { LIVENESS_PORT: String(livenessPort) }).then(
          async (unexpected) => (await unexpected.stop(), 'booted'),
          (err: Error) => err.message,
        );
        if (!/floyo api: Boot failed: listen EADDRINUSE/.test(failure)) break;
      }
      expect(failure).toMatch(new RegExp(`liveness listener on [^\\s]+:${livenessPort}: .*EADDRINUSE`));
    } finally {
      await first.stop();
    }
  });

  it('answers within milliseconds while the main thread is busy, and 503 once its loop has stalled too long', async () => {
    const { startLivenessThread } = (await import(join(ROOT, 'dist', 'platform', 'health', 'liveness-thread.js'))) as {
      startLivenessThread: typeof Start;
    };
    const thread: LivenessThread = await startLivenessThread({ port: 0, host: '127.0.0.1', maxStallMs: 1_000 });
    try {
      const url = `http://127.0.0.1:${thread.port}/health/liveness`;
      expect((await fetch(url)).status).toBe(200);
      // A separate process probes at 200 ms (the loop blocked 0.2 s: alive) and at 1.6 s
      // (blocked 1.6 s > 1 s: stalled) while this thread's loop is blocked for 2.2 s.
      const prober = spawn(
        process.execPath,
        [
          '-e',
          `const probe = async () => { const t = Date.now(); const r = await fetch(${JSON.stringify(url)});
             return { status: r.status, ms: Date.now() - t, body: await r.json() }; };
           process.once('message', async () => {
             await new Promise((r) => setTimeout(r, 200)); const a = await probe();
             await new Promise((r) => setTimeout(r, 1400)); const b = await probe();
             process.send([a, b], () => process.exit(0));
           });
           // fetch loads its HTTP client on first use: not part of what is measured
           fetch(${JSON.stringify(url)}).then((r) => r.arrayBuffer()).then(() => process.send('ready'));`,
        ],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      await new Promise((resolve) => prober.once('message', resolve));
      const answers = new Promise<Array<{ status: number; ms: number; body: { status: string; detail?: string } }>>((resolve) =>
        prober.once('message', (m) => resolve(m as never)),
      );
      await new Promise<void>((resolve) => prober.send('go', () => resolve()));
      const until = Date.now() + 2_200;
      while (Date.now() < until); // the main loop blocked, as by a runaway synchronous loop
      const [busy, stalled] = await answers;
      expect(busy.status).toBe(200);
      expect(busy.ms).toBeLessThan(100);
      expect(stalled.status).toBe(503);
      expect(stalled.body).toMatchObject({
        status: 'stalled',
        detail: expect.stringMatching(/event loop has not turned for \d+ ms \(limit 1000 ms\)/),
      });
      // the loop turns again: alive
      await new Promise((r) => setTimeout(r, 250));
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await thread.stop();
    }
  });

  it('thousands of idle connections are shed and closed, and the thread lives on', async () => {
    const { startLivenessThread } = (await import(join(ROOT, 'dist', 'platform', 'health', 'liveness-thread.js'))) as {
      startLivenessThread: typeof Start;
    };
    const failures: string[] = [];
    const thread: LivenessThread = await startLivenessThread({
      port: 0,
      host: '127.0.0.1',
      maxStallMs: 10_000,
      onFailure: (err) => failures.push(err.message),
    });
    const sockets: net.Socket[] = [];
    let closed = 0;
    try {
      // connections that never send a byte (each one costs the thread's small heap)
      for (let i = 0; i < 9_000; i++) {
        const s = net.connect(thread.port, '127.0.0.1');
        s.on('error', () => undefined);
        s.on('close', () => closed++);
        sockets.push(s);
        if (i % 250 === 249) await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(failures).toEqual([]);
      // beyond the cap they were closed at once; the rest once the 2 s request deadline passed
      expect(closed).toBeGreaterThan(9_000 - 1_000);
      const deadline = Date.now() + 5_000;
      while (closed < sockets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(sockets.length);
      expect(failures).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${thread.port}/health/liveness`)).status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await thread.stop();
    }
  });
});
