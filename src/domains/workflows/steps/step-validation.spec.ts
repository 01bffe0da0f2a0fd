import { normaliseSteps } from './step-validation';

const ok = (input: unknown) => {
  const r = normaliseSteps(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.steps;
};
const issues = (input: unknown) => {
  const r = normaliseSteps(input);
  if (r.ok) throw new Error('expected a validation failure');
  return r.issues;
};

describe('normaliseSteps', () => {
  it('fills defaults and keeps order', () => {
    const steps = ok([
      { type: 'http', method: 'GET', url: 'https://example.com/a' },
      { id: 'wait', type: 'delay', ms: 0 },
      { type: 'notify', message: 'done' },
    ]);
    expect(steps.map((s) => s.type)).toEqual(['http', 'delay', 'notify']);
    expect(steps[0]).toMatchObject({ timeout_ms: 10_000, retries: 0, continue_on_error: false, id: expect.stringMatching(/^step-1-/) });
    expect(steps[1].id).toBe('wait');
    expect(steps[2]).toMatchObject({ target: 'user' });
  });

  it('accepts the legacy object form, keys becoming ids', () => {
    const steps = ok({ fetch: { type: 'http', method: 'POST', url: 'http://x.dev', body: { a: 1 } }, pause: { type: 'delay', ms: 5 } });
    expect(steps.map((s) => s.id)).toEqual(['fetch', 'pause']);
  });

  it('accepts the legacy log step (level info by default) and checks its fields', () => {
    expect(ok({ '1': { type: 'log', message: 'hello {{trigger.x}}' } })).toEqual([
      { id: '1', type: 'log', message: 'hello {{trigger.x}}', level: 'info', retries: 0, continue_on_error: false },
    ]);
    expect(
      issues([
        { type: 'log', message: 3 },
        { type: 'log', message: 'x', level: 'loud' },
      ]).map((i) => i.loc.slice(2)),
    ).toEqual([
      [0, 'message'],
      [1, 'level'],
    ]);
  });

  it('names the failing step and field', () => {
    const found = issues([
      { type: 'delay', ms: 1 },
      { id: 'notify-team', type: 'notify', message: '' },
    ]);
    expect(found).toEqual([
      { loc: ['body', 'steps', 1, 'message'], msg: expect.stringMatching(/^steps\[1\] "notify-team": message/), type: 'value_error' },
    ]);
  });

  it.each([
    [{ type: 'shell', cmd: 'rm -rf /' }, 'type'],
    [{ type: 'http', method: 'TRACE', url: 'https://a.dev' }, 'method'],
    [{ type: 'http', method: 'GET', url: 'ftp://a.dev' }, 'url'],
    [{ type: 'http', method: 'GET', url: 'https://a.dev', timeout_ms: 60_001 }, 'timeout_ms'],
    [{ type: 'http', method: 'GET', url: 'https://a.dev', headers: { a: 1 } }, 'headers'],
    [{ type: 'delay', ms: 900_001 }, 'ms'],
    [{ type: 'delay', ms: 1.5 }, 'ms'],
    [{ type: 'delay', ms: 1, retries: 6 }, 'retries'],
    [{ type: 'notify', message: 'x', target: 'everyone' }, 'target'],
    [{ type: 'integration', integration_id: 'nope', action: 'post_message' }, 'integration_id'],
    [{ type: 'delay', ms: 1, surprise: true }, 'surprise'],
    [{ id: 'bad id!', type: 'delay', ms: 1 }, 'id'],
  ])('refuses %j (field %s)', (step, field) => {
    expect(issues([step])[0].loc).toEqual(['body', 'steps', 0, field]);
  });

  it('refuses duplicate ids, non-arrays and too many steps', () => {
    expect(
      issues([
        { id: 'a', type: 'delay', ms: 1 },
        { id: 'a', type: 'delay', ms: 1 },
      ])[0].msg,
    ).toMatch(/duplicate/);
    expect(issues('steps')[0].loc).toEqual(['body', 'steps']);
    expect(issues(Array.from({ length: 51 }, () => ({ type: 'delay', ms: 0 })))[0].msg).toMatch(/at most 50/);
  });

  it('allows templated URLs', () => {
    expect(ok([{ type: 'http', method: 'GET', url: '{{trigger.url}}' }])).toHaveLength(1);
    expect(ok([{ type: 'http', method: 'GET', url: 'https://api.dev/{{steps.a.output.body.id}}' }])).toHaveLength(1);
  });
});
