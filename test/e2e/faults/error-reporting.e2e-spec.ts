import { Controller, Get } from '@nestjs/common';
import { Public } from '../../../src/platform/http/decorators/public.decorator';
import { ErrorReporter } from '../../../src/platform/errors/error-reporter';
import { createTestApp } from '../../helpers/app';
import { startFakeSentry } from '../../helpers/sentry';

/** A route that fails the way real bugs do (test-only; not part of the service). */
@Controller('api/test-failure')
class FailingController {
  @Public()
  @Get()
  boom(): never {
    throw new TypeError('cannot read properties of undefined (reading "secret internals")');
  }
}

describe('error reporting (Sentry)', () => {
  it('sends 5xx errors to the configured DSN, with the error_id the client got', async () => {
    const sentry = await startFakeSentry();
    const { envelopes } = sentry;
    const t = await createTestApp({ SENTRY_DSN: sentry.dsn }, { controllers: [FailingController] });
    try {
      expect(t.app.get(ErrorReporter).enabled).toBe(true);
      const res = await t.http().get('/api/test-failure').expect(500);
      expect(res.body).toEqual({ detail: 'Internal server error', error_id: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toContain('secret internals');
      const deadline = Date.now() + 10_000;
      while (!envelopes.some((e) => e.includes(res.body.error_id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const envelope = envelopes.find((e) => e.includes(res.body.error_id));
      expect(envelope).toBeDefined();
      expect(envelope).toContain('secret internals'); // the operator sees the real error
    } finally {
      await t.close();
      await sentry.close();
    }
  });

  it('loads nothing without SENTRY_DSN', async () => {
    const t = await createTestApp({ SENTRY_DSN: '' }, { controllers: [FailingController] });
    try {
      expect(t.app.get(ErrorReporter).enabled).toBe(false);
      await t.http().get('/api/test-failure').expect(500);
    } finally {
      await t.close();
    }
  });
});
