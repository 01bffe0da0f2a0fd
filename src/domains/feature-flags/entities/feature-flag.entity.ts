import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';

@Entity('feature_flags')
@Check('ck_feature_flags_rollout', 'rollout_percentage BETWEEN 0 AND 100')
export class FeatureFlag {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_feature_flags_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: false })
  enabled: boolean;

  @Column({ type: 'integer', default: 100 })
  rolloutPercentage: number;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
