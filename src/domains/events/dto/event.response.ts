export class EventResponse {
  id: string;
  event_type: string;
  file_path: string | null;
  tool: string | null;
  operation: string | null;
  timestamp: string;
  details: Record<string, unknown> | null;

  static from(row: EventRow): EventResponse {
    return {
      id: row.id,
      event_type: row.event_type,
      file_path: row.file_path,
      tool: row.tool,
      operation: row.operation,
      timestamp: row.timestamp.toISOString(),
      details: row.details,
    };
  }
}

/** A row as read from `events`. */
export type EventRow = Omit<EventResponse, 'timestamp'> & { timestamp: Date };

export class UploadResponse {
  message: string;
  event_id: string;
  file_path: string;
}
