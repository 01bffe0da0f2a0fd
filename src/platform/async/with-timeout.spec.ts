import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('answers with the promise when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 50)).resolves.toBe(42);
    await expect(withTimeout(Promise.reject(new Error('boom')), 50)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError once the time is up, and a late rejection goes nowhere', async () => {
    const slow = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 80));
    await expect(withTimeout(slow, 10, 'Redis did not answer')).rejects.toEqual(new TimeoutError('Redis did not answer'));
    await new Promise((r) => setTimeout(r, 100)); // the late rejection must not be unhandled
  });
});
