import { randomUUID } from 'node:crypto';
import { AnalysisPositions } from '../../src/domains/patterns/analysis/analysis-positions';
import { RedisService } from '../../src/platform/redis/redis.service';
import { createTestApp, type TestApp } from '../helpers/app';

/**
 * The shared Redis client auto-pipelines: commands issued in one tick share one pipeline.
 * A Lua command defined on that client after a pipeline was opened is missing from the
 * pipeline, and ioredis then calls back with fewer results than callbacks — a TypeError
 * thrown outside any promise, which kills the process (ioredis#1931). Every script must
 * be defined before the client's first command.
 */
describe('Lua commands on the auto-pipelined shared Redis client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('the first analysis touch of a process, in the same tick as another command, neither throws nor loses a reply', async () => {
    const redis = t.app.get(RedisService);
    const positions = t.app.get(AnalysisPositions);
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      // a command of another request opens this tick's pipeline, then the first touch joins it
      const other = redis.client.get(redis.key('scripts-test', randomUUID()));
      const touched = positions.touch(randomUUID(), null);
      await expect(other).resolves.toBeNull();
      await expect(touched).resolves.toBe(true);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught.map((e) => e.message)).toEqual([]);
  });
});
