import { compileMatch, globToRegExp, parseTrigger, triggerData, type ActivityEvent } from './activity-trigger';

const event = (over: Partial<ActivityEvent> = {}): ActivityEvent => ({
  id: 'e1',
  event_type: 'file_created',
  file_path: '/home/ana/reports/out/kpi.csv',
  tool: 'python',
  operation: 'created',
  timestamp: '2026-12-03T08:00:00.000Z',
  ...over,
});

describe('activity triggers', () => {
  it('globs: * stays in one segment, ** crosses them, ? is one character, the rest is literal', () => {
    expect(globToRegExp('/home/*/reports/out/*.csv').test('/home/ana/reports/out/kpi.csv')).toBe(true);
    expect(globToRegExp('/home/*/reports/out/*.csv').test('/home/ana/x/reports/out/kpi.csv')).toBe(false);
    expect(globToRegExp('/home/**/*.csv').test('/home/ana/x/y/kpi.csv')).toBe(true);
    expect(globToRegExp('/home/**/kpi.csv').test('/home/kpi.csv')).toBe(true);
    expect(globToRegExp('*.c?v').test('a.csv')).toBe(true);
    expect(globToRegExp('report(1).csv').test('report(1).csv')).toBe(true);
    expect(globToRegExp('a.csv').test('abcsv')).toBe(false);
  });

  it('matches every given condition, case-insensitively, and nothing else', () => {
    const m = compileMatch({ event_type: 'file_created', file_path: '/home/*/reports/out/*.CSV' });
    expect(m(event())).toBe(true);
    expect(m(event({ event_type: 'file_modified' }))).toBe(false);
    expect(m(event({ file_path: null }))).toBe(false);
    expect(compileMatch({ tool: 'Python', operation: 'created' })(event())).toBe(true);
    expect(compileMatch({ tool: 'python' })(event({ tool: null }))).toBe(false);
  });

  it('validates with 422 issues naming the field, and fills defaults', () => {
    expect(parseTrigger({ type: 'activity', match: { file_path: '*.csv' } }, false)).toEqual({
      ok: true,
      trigger: { type: 'activity', match: { file_path: '*.csv' }, max_runs_per_minute: 10, include_members: false },
    });
    expect(parseTrigger(null, false)).toEqual({ ok: true, trigger: null });
    const bad = parseTrigger({ type: 'activity', match: { path: 'x', tool: '' }, max_runs_per_minute: 0, include_members: true }, false);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((i) => i.loc.join('.'))).toEqual([
      'body.trigger.match.path',
      'body.trigger.match.tool',
      'body.trigger.max_runs_per_minute',
      'body.trigger.include_members',
    ]);
    const empty = parseTrigger({ type: 'activity', match: {} }, false);
    expect(!empty.ok && empty.issues[0]).toMatchObject({ loc: ['body', 'trigger', 'match'], type: 'missing' });
    const type = parseTrigger({ type: 'cron' }, false);
    expect(!type.ok && type.issues[0]).toMatchObject({ loc: ['body', 'trigger', 'type'] });
  });

  it('gives the run the event, with its file name and extension', () => {
    expect(triggerData(event())).toMatchObject({ event_id: 'e1', file_name: 'kpi.csv', extension: '.csv', tool: 'python' });
  });
});
