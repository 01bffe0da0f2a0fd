import { nextRunAfter, parseSchedule } from './schedule';

describe('parseSchedule', () => {
  it('accepts cron (with a time zone) and intervals ≥ 60 s', () => {
    expect(parseSchedule({ type: 'cron', cron: '*/5 * * * *', timezone: 'Europe/Berlin' })).toEqual({
      ok: true,
      schedule: { type: 'cron', cron: '*/5 * * * *', timezone: 'Europe/Berlin' },
    });
    expect(parseSchedule({ type: 'interval', interval: 60 })).toEqual({ ok: true, schedule: { type: 'interval', interval: 60 } });
    expect(parseSchedule(null)).toEqual({ ok: true, schedule: null });
  });

  it.each([
    [{ type: 'cron', cron: '61 * * * *' }, 'cron'],
    [{ type: 'cron', cron: 'every tuesday' }, 'cron'],
    [{ type: 'cron', cron: '* * * * * *' }, 'cron'],
    [{ type: 'cron', cron: '* * * * *', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ type: 'interval', interval: 59 }, 'interval'],
    [{ type: 'interval', interval: '60' }, 'interval'],
    [{ type: 'weekly' }, 'type'],
    [{ type: 'interval', interval: 60, extra: 1 }, 'extra'],
  ])('refuses %j with the parser message at %s', (input, field) => {
    const r = parseSchedule(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].loc).toEqual(['body', 'schedule_config', field]);
  });

  it('reports the cron parser message', () => {
    const r = parseSchedule({ type: 'cron', cron: '61 * * * *' });
    if (r.ok) throw new Error('expected failure');
    expect(r.issues[0].msg).toMatch(/^invalid cron expression: .+/);
  });
});

describe('nextRunAfter', () => {
  it('gives the next cron occurrence strictly after the instant', () => {
    const at = new Date('2026-01-01T10:02:30Z');
    expect(nextRunAfter({ type: 'cron', cron: '*/5 * * * *' }, at).toISOString()).toBe('2026-01-01T10:05:00.000Z');
    expect(nextRunAfter({ type: 'cron', cron: '*/5 * * * *' }, new Date('2026-01-01T10:05:00Z')).toISOString()).toBe(
      '2026-01-01T10:10:00.000Z',
    );
  });

  it('honours the time zone', () => {
    // 09:00 in Berlin is 08:00 UTC in winter
    const next = nextRunAfter({ type: 'cron', cron: '0 9 * * *', timezone: 'Europe/Berlin' }, new Date('2026-01-05T00:00:00Z'));
    expect(next.toISOString()).toBe('2026-01-05T08:00:00.000Z');
  });

  it('coalesces missed interval runs into the next one', () => {
    const anchor = new Date('2026-01-01T00:00:00Z');
    const now = new Date('2026-01-01T00:10:30Z'); // 10 runs missed
    expect(nextRunAfter({ type: 'interval', interval: 60 }, now, anchor).toISOString()).toBe('2026-01-01T00:11:00.000Z');
  });
});
