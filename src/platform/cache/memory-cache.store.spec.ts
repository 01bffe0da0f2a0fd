import { MemoryCacheStore } from './memory-cache.store';

describe('MemoryCacheStore (development fallback)', () => {
  it('keeps entries until they expire and counts generations per user', () => {
    jest.useFakeTimers();
    try {
      const store = new MemoryCacheStore();
      store.set('k', 'v', 10);
      expect(store.get('k')).toBe('v');
      jest.advanceTimersByTime(10_001);
      expect(store.get('k')).toBeNull();
      expect(store.generation('u')).toBe(0);
      store.bump('u');
      store.bump('u');
      expect(store.generation('u')).toBe(2);
      expect(store.generation('other')).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('drops the oldest writes beyond its size bound', () => {
    const store = new MemoryCacheStore(3);
    for (const k of ['a', 'b', 'c', 'd']) store.set(k, k, 60);
    expect(store.get('a')).toBeNull();
    expect(['b', 'c', 'd'].map((k) => store.get(k))).toEqual(['b', 'c', 'd']);
  });
});
