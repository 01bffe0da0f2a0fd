import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '../../database/base.columns';
import { User } from '../../users/entities/user.entity';

/** An ordered pair of distinct files a user touches together. */
@Entity('relationships')
// Unique per (user, type, md5(source), md5(target)): an expression index in the migration,
// so arbitrarily long paths never exceed the btree row limit.
@Index('uq_relationships_pair', { synchronize: false })
export class Relationship {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_relationships_user')
  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'text' })
  sourceFile: string;

  @Column({ type: 'text' })
  targetFile: string;

  @Column({ type: 'varchar', length: 50 })
  relationType: string;

  @Column({ type: 'double precision', default: 1 })
  weight: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firstSeen: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastSeen: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
