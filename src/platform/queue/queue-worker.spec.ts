import { assertCatalogue } from './queue-worker';
import { JOBS, QUEUES } from './queues';

const all = () =>
  Object.entries(QUEUES).flatMap(([key, queue]) =>
    Object.values(JOBS[key as keyof typeof QUEUES]).map((name) => ({ queue, name, owner: `${queue}.${name}` })),
  );

describe('assertCatalogue', () => {
  it('passes when every job has exactly one handler', () => {
    expect(() => assertCatalogue(all())).not.toThrow();
  });

  it('refuses a missing handler, a duplicate and an unknown job', () => {
    const handlers = all();
    const [first, ...rest] = handlers;
    expect(() => assertCatalogue(rest)).toThrow(`job ${first.queue}/${first.name} has no handler`);
    expect(() => assertCatalogue([...handlers, { ...first, owner: 'Other.dup' }])).toThrow(/has 2 handlers/);
    expect(() => assertCatalogue([...handlers, { queue: 'workflows', name: 'nope', owner: 'X.y' }] as never)).toThrow(
      /not in the job catalogue/,
    );
  });
});
