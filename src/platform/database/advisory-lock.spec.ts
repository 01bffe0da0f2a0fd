import { advisoryLockKey } from './advisory-lock';

describe('advisoryLockKey', () => {
  it('is a stable signed 64-bit integer per name', () => {
    const key = advisoryLockKey('floyo:migrations');
    expect(key).toBe(advisoryLockKey('floyo:migrations'));
    expect(key).not.toBe(advisoryLockKey('floyo:other'));
    const n = BigInt(key);
    expect(n >= -(2n ** 63n) && n < 2n ** 63n).toBe(true);
  });
});
