/**
 * Development-only stand-in for Redis (ENVIRONMENT=development and Redis unreachable):
 * the same generation scheme in one process, bounded in size. Never used elsewhere —
 * with several replicas an in-process cache would serve one replica's stale pages.
 */
export class MemoryCacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly generations = new Map<string, number>();

  constructor(private readonly maxEntries = 5_000) {}

  generation(userId: string): number {
    return this.generations.get(userId) ?? 0;
  }

  bump(userId: string): void {
    this.generations.set(userId, this.generation(userId) + 1);
  }

  get(key: string): string | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    if (hit.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return hit.value;
  }

  set(key: string, value: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    // Map iteration is insertion order: the first key is the oldest write.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
