import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { json } from '../helpers/load';
import { assertBuilt, type Service, startService } from '../helpers/processes';
import { uniqueEmail } from '../helpers/users';

/**
 * PostgreSQL really restarted (pg_ctlcluster … restart) under a running API and worker:
 * neither process crashes, requests during the restart get 503 (not 500, no hang), and
 * the pools recover by themselves.
 */
/** Asynchronous on purpose: the probe below must keep sending requests while it runs. */
function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql')[0];
  return new Promise((resolve, reject) => {
    execFile('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pg_ctlcluster restart failed: ${err.message} ${stderr}${stdout}`)) : resolve(),
    );
  });
}

describe('PostgreSQL restart (serial)', () => {
  let api: Service;
  let worker: Service;
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  it('the API and the worker survive it and recover without a restart', async () => {
    assertBuilt();
    [api, worker] = await Promise.all([
      startService('api', { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '2000', HEALTH_CHECK_TIMEOUT_MS: '500' }),
      startService('worker', {}),
    ]);
    const base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('restart');
    await json(base, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    const token = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
    expect((await json(base, 'POST', '/api/events', { event_type: 'before_restart' }, token)).status).toBe(201);

    const statuses: number[] = [];
    let restarting = true;
    const probe = (async () => {
      while (restarting) {
        const started = Date.now();
        const r = await json(base, 'POST', '/api/events', { event_type: 'during_restart' }, token).catch(() => ({ status: 0 }));
        statuses.push(r.status);
        expect(Date.now() - started).toBeLessThan(5_000);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    await restartPostgres();
    restarting = false;
    await probe;
    expect(statuses.length).toBeGreaterThan(3); // the probe really ran during the restart
    expect(statuses.filter((s) => ![201, 503].includes(s))).toEqual([]);

    const deadline = Date.now() + 30_000;
    let ready = 0;
    while (Date.now() < deadline && ready !== 200) {
      ready = (await json(base, 'GET', '/health/readiness')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);
    expect((await json(base, 'POST', '/api/events', { event_type: 'after_restart' }, token)).status).toBe(201);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${worker.port}/health/liveness`)).status).toBe(200);
  });
});
