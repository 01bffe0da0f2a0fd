/** What `withTimeout` rejects with once its time is up. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * `promise`, or a TimeoutError(`message`) after `ms` — whichever comes first; the timer
 * never outlives the race. The promise itself goes on (a rejection it gives later is
 * ignored here): use it where an answer is only worth waiting for so long.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
