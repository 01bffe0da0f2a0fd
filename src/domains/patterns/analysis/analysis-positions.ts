import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '@/platform/config/app-config';
import { RedisService } from '@/platform/redis/redis.service';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';

/** Positions and late markers outlive a quiet month; a user back after that is simply not checked once. */
const KEY_TTL_SECONDS = 90 * 86_400;

/**
 * One round trip per ingest: records a late marker when the batch holds events at or
 * before the user's analysed position, and takes the debounce slot (SET NX PX). Returns 1
 * when this ingest is the first of its debounce window (the caller then enqueues the run).
 */
const TOUCH = `
if ARGV[1] ~= '' then
  local pos = redis.call('GET', KEYS[2])
  if pos and tonumber(ARGV[1]) <= tonumber(pos) then
    local late = redis.call('GET', KEYS[3])
    if not late or tonumber(ARGV[1]) < tonumber(late) then redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3]) end
  end
end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

/**
 * The analysis' small shared state in Redis: the debounce slot per user, each user's
 * analysed position (milliseconds, written by the analysis) and the late marker (the
 * earliest event ingested behind that position). Redis is never the source of truth
 * here: every call fails open — an outage costs at most a missed debounce or late
 * marker, never an ingest.
 */
@Injectable()
export class AnalysisPositions {
  private readonly warning = new OccasionalWarning(new Logger(AnalysisPositions.name));

  /** TOUCH, registered on the shared client: EVALSHA per ingest, not the script's source. */
  private readonly touchCommand: (...args: string[]) => Promise<unknown>;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    // Defined at construction, never on first use: the shared client auto-pipelines, and a
    // command defined while a pipeline is open is missing from it — ioredis then throws
    // outside any promise and the process dies (ioredis#1931).
    const client = this.redis.client as Redis & { floyoAnalysisTouch: (...args: string[]) => Promise<unknown> };
    client.defineCommand('floyoAnalysisTouch', { numberOfKeys: 3, lua: TOUCH });
    this.touchCommand = client.floyoAnalysisTouch.bind(client);
  }

  private keys(userId: string) {
    return {
      debounce: this.redis.key('analysis', 'debounce', userId),
      position: this.redis.key('analysis', 'pos', userId),
      late: this.redis.key('analysis', 'late', userId),
    };
  }

  /** After an ingest whose earliest event is `earliest`: true when a run should be scheduled. */
  async touch(userId: string, earliest: Date | null): Promise<boolean> {
    const k = this.keys(userId);
    const args = [earliest ? String(earliest.getTime()) : '', String(this.config.analysis.debounceMs), String(KEY_TTL_SECONDS)];
    const res = await this.safely(() => this.touchCommand(k.debounce, k.position, k.late, ...args), 0);
    return res === 1;
  }

  async remember(userId: string, positionUs: string): Promise<void> {
    const ms = String(Math.floor(Number(positionUs) / 1000));
    await this.safely(() => this.redis.client.set(this.keys(userId).position, ms, 'EX', KEY_TTL_SECONDS), null);
  }

  /** The late marker, removed (the analysis keeps it in its state row from then on). */
  async takeLateMarker(userId: string): Promise<number | null> {
    const value = await this.safely(() => this.redis.client.getdel(this.keys(userId).late), null);
    return value === null ? null : Number(value);
  }

  async restoreLateMarker(userId: string, ms: number): Promise<void> {
    await this.safely(() => this.redis.client.set(this.keys(userId).late, String(ms), 'EX', KEY_TTL_SECONDS), null);
  }

  private async safely<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.warning.warn(`analysis signals unavailable (Redis): ${(err as Error).message}`);
      return fallback;
    }
  }
}
