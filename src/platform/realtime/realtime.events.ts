/**
 * The one typed map of server → client Socket.IO events. Every payload carries an
 * `event_id` and a `timestamp` (added by RealtimeService), so clients can de-duplicate.
 */
export interface ServerToClientEvents {
  'event.created': {
    id: string;
    event_type: string;
    file_path: string | null;
    tool: string | null;
    operation: string | null;
    timestamp: string;
  };
  'events.batch_created': { count: number };
  /**
   * An extension pattern moved (ingest; `kind` absent or `extension`), or a temporal
   * pattern — a recurring sequence — was found or grew (`kind: 'sequence'`, with its
   * `sequence_key`; `file_extension` is then empty).
   */
  'pattern.updated': { id: string; file_extension: string; count: number; kind?: 'extension' | 'sequence'; sequence_key?: string };
  /** A suggestion was created, or an open one was updated with new evidence (`change`). */
  'suggestion.created': {
    id: string;
    trigger: string;
    confidence: number;
    suggested_integration?: string | null;
    suggested_connector?: string | null;
    change?: 'created' | 'updated';
  };
  'workflow.execution.updated': {
    id: string;
    workflow_id: string;
    status: string;
    /** The step the update is about, when it is about one. */
    step: { id: string; status: string } | null;
  };
  notification: { message: string; workflow_id?: string; execution_id?: string };
  /** An integration's health changed (`needs_attention` after the provider refused its credentials, or `active` again). */
  'integration.updated': { id: string; status: string; last_error: string | null; last_sync_at: string | null };
}

export type RealtimeEventName = keyof ServerToClientEvents;

/** What a client receives: the payload plus delivery metadata. */
export type Envelope<E extends RealtimeEventName> = ServerToClientEvents[E] & { event_id: string; timestamp: string };

/** Client → server messages (each acknowledged). */
export interface ClientToServerEvents {
  ping: (ack: (reply: { server_time: string }) => void) => void;
  subscribe: (body: { organization_id: string }, ack: (reply: AckReply) => void) => void;
  unsubscribe: (body: { organization_id: string }, ack: (reply: AckReply) => void) => void;
}

export type AckReply = { ok: true; room: string } | { ok: false; error: string };

export const userRoom = (userId: string) => `user:${userId}`;
export const orgRoom = (orgId: string) => `org:${orgId}`;
/** One room per login session, so a revoked session's sockets can be found on every replica. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
