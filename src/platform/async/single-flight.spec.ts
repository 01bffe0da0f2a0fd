import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('runs the work once for concurrent calls of a key, again once it settled', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    let runs = 0;
    const work = () => (runs++, d.promise);
    const calls = [flight.run('a', work), flight.run('a', work), flight.run('b', async () => 7)];
    d.resolve(1);
    expect(await Promise.all(calls)).toEqual([1, 1, 7]);
    expect(runs).toBe(1);
    await flight.run('a', async () => (runs++, 2));
    expect(runs).toBe(2);
  });

  it('shares a failure, then starts afresh', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    const both = [flight.run('a', () => d.promise), flight.run('a', () => d.promise)];
    d.reject(new Error('down'));
    await expect(Promise.all(both)).rejects.toThrow('down');
    expect(await flight.run('a', async () => 3)).toBe(3);
  });

  it('forget: later calls start a new run; earlier callers keep theirs', async () => {
    const flight = new SingleFlight<string>();
    const first = deferred<string>();
    const before = flight.run('u:s1', () => first.promise);
    flight.forget((key) => key.endsWith(':s1'));
    const after = flight.run('u:s1', async () => 'fresh');
    first.resolve('old');
    expect(await before).toBe('old');
    expect(await after).toBe('fresh');
    // the forgotten run settling does not remove the new one's entry (nothing left to share here)
    expect(await flight.run('u:s1', async () => 'next')).toBe('next');
  });
});
