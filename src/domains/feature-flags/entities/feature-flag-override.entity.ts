import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { Organization } from '@/domains/organizations';
import { User } from '@/domains/users';
import { FeatureFlag } from './feature-flag.entity';

/** Forces a flag on or off for exactly one user or one organization. */
@Entity('feature_flag_overrides')
@Check('ck_feature_flag_overrides_subject', '(user_id IS NULL) <> (organization_id IS NULL)')
@Index('uq_feature_flag_overrides_user', ['flagId', 'userId'], { unique: true, where: 'user_id IS NOT NULL' })
@Index('uq_feature_flag_overrides_org', ['flagId', 'organizationId'], {
  unique: true,
  where: 'organization_id IS NOT NULL',
})
export class FeatureFlagOverride {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  flagId: string;

  @ManyToOne(() => FeatureFlag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'flag_id' })
  flag?: FeatureFlag;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
