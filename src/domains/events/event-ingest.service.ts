import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { fileExtension, type PatternUsage } from '@/domains/patterns';
import { EventResponse } from './dto/event.response';
import type { NewEvent } from './event-input';
import { EventsRepository } from './events.repository';

/**
 * Ingest: all events of one call in ONE statement with the upsert of their extension
 * patterns (EventsRepository.ingest: one round trip, all or nothing). Ids are generated
 * here so the response keeps the request's order without relying on RETURNING order.
 */
@Injectable()
export class EventIngestService {
  constructor(
    private readonly repository: EventsRepository,
    private readonly events: EventBus,
  ) {}

  async ingest(userId: string, events: NewEvent[]): Promise<EventResponse[]> {
    const ids = events.map(() => randomUUID());
    const usages = events.flatMap((e): PatternUsage[] => {
      const extension = e.extension !== undefined ? e.extension : fileExtension(e.filePath);
      return extension ? [{ extension, at: e.timestamp, tool: e.tool }] : [];
    });
    const { timestamps: stamps, patterns } = await this.repository.ingest(userId, ids, events, usages);
    const created = events.map((e, i) =>
      EventResponse.from({
        id: ids[i],
        event_type: e.eventType,
        file_path: e.filePath,
        tool: e.tool,
        operation: e.operation,
        details: e.details,
        timestamp: stamps.get(ids[i])!,
      }),
    );
    // After the commit, before the answer: caches go stale (the very next list call sees
    // these rows), the analysis is scheduled, live dashboards are told.
    await this.events.publish('activity.ingested', {
      userId,
      events: created.map((e) => ({
        id: e.id,
        event_type: e.event_type,
        file_path: e.file_path,
        tool: e.tool,
        operation: e.operation,
        timestamp: e.timestamp,
      })),
      patterns,
      earliest: earliest(stamps.values()),
    });
    return created;
  }
}

function earliest(stamps: Iterable<Date>): Date | null {
  let min: Date | null = null;
  for (const t of stamps) if (!min || t < min) min = t;
  return min;
}
