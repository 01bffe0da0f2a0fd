import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { StorageService } from '@/platform/storage/storage.service';
import { Event } from './entities/event.entity';
import { EventsRepository } from './events.repository';
import { cleanContentType } from './upload-metadata';

/** A file a user uploaded (POST /api/events/upload), as its upload event describes it. */
export interface UploadedFile {
  eventId: string;
  filename: string;
  contentType: string;
  size: number | null;
  /** A fresh stream of the stored bytes (each call reads the object again). */
  open(): Promise<Readable>;
}

/** `*.csv` → an ILIKE pattern: `*` any run, `?` one character, everything else literal. */
export function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

/**
 * Read access to uploaded files for server-side consumers (workflow integration steps):
 * only the owner's own uploads, by event id or as the latest upload whose name matches a glob.
 */
@Injectable()
export class UploadedFiles {
  constructor(
    private readonly events: EventsRepository,
    private readonly storage: StorageService,
  ) {}

  async byEvent(userId: string, eventId: string): Promise<UploadedFile | null> {
    return this.describe(await this.events.fileOf(userId, eventId));
  }

  async latestMatching(userId: string, glob: string): Promise<UploadedFile | null> {
    return this.describe(await this.events.latestUploadMatching(userId, globToLike(glob)));
  }

  private describe(event: Pick<Event, 'id' | 'storageKey' | 'details'> | null): UploadedFile | null {
    if (!event?.storageKey) return null;
    const key = event.storageKey;
    const details = event.details ?? {};
    return {
      eventId: event.id,
      filename: typeof details.filename === 'string' && details.filename ? details.filename : 'upload',
      contentType: cleanContentType(typeof details.content_type === 'string' ? details.content_type : undefined),
      size: typeof details.size === 'number' ? details.size : null,
      open: async () => {
        const object = await this.storage.get(key);
        if (!object) throw new Error(`the uploaded file of event ${event.id} is no longer stored`);
        return object.stream;
      },
    };
  }
}
