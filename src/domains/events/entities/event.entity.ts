import { Column, Entity, Index } from 'typeorm';
import { UserOwnedEntity } from '@/domains/users';

/** One observed activity: a file opened, a tool or command run. The hottest table. */
@Entity('events')
// (user_id, timestamp, id): serves the default list (newest first, id as the tie-breaker)
// and keyset-batched exports in either direction without a sort.
@Index('idx_events_user_timestamp', ['userId', 'timestamp', 'id'])
export class Event extends UserOwnedEntity {
  @Column({ type: 'varchar', length: 50 })
  eventType: string;

  @Column({ type: 'text', nullable: true })
  filePath: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  tool: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  operation: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  timestamp: Date;

  /** Object key of an uploaded file (`uploads/<userId>/<uuid>`); set only by the upload route. */
  @Column({ type: 'text', nullable: true })
  storageKey: string | null;
}
