import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** One observed activity: a file opened, a tool or command run. The hottest table. */
@Entity('events')
@Index('idx_events_user_timestamp', ['userId', 'timestamp'])
export class Event {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

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
}
