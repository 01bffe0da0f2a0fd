import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UpdatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';

/**
 * Per-user row counts (at most 16 rows per user; the totals are their sums), so list
 * totals and /api/stats never count a user's whole history.
 * Maintained by statement-level triggers on events, patterns, relationships and
 * suggestions (migration AddUserStats): every INSERT/DELETE adjusts them in its own
 * transaction, whoever runs it (API, worker, cascades).
 *
 * Sharded: an insert adds to the row of shard `pg_backend_pid() % 16`, so concurrent
 * writers of one user (on different connections) do not queue behind one row lock until
 * they commit; a delete subtracts from the user's lowest existing shard. A single row
 * may go negative; the per-user sum is exact.
 */
@Entity('user_stats')
export class UserStats {
  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn({ type: 'smallint' })
  shard: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'bigint', default: 0 })
  eventCount: string;

  @Column({ type: 'bigint', default: 0 })
  patternCount: string;

  @Column({ type: 'bigint', default: 0 })
  relationshipCount: string;

  @Column({ type: 'bigint', default: 0 })
  suggestionCount: string;

  @UpdatedAt()
  updatedAt: Date;
}
