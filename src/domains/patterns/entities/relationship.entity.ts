import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';

/** An ordered pair of distinct files a user touches together. */
@Entity('relationships')
// Unique per (user, type, md5(source), md5(target)): an expression index in the migration,
// so arbitrarily long paths never exceed the btree row limit.
@Index('uq_relationships_pair', { synchronize: false })
@Index('idx_relationships_user', ['userId'])
export class Relationship extends UserOwnedEntity {
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
