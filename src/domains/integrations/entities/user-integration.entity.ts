import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';
import { Organization } from '@/domains/organizations';
import { IntegrationConnector } from './integration-connector.entity';

export type IntegrationStatus = 'active' | 'needs_attention';

@Entity('user_integrations')
@Index('idx_user_integrations_user', ['userId', 'createdAt'])
@Index('idx_user_integrations_org', ['organizationId', 'createdAt'])
export class UserIntegration extends UserOwnedEntity {
  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column('uuid')
  connectorId: string;

  @ManyToOne(() => IntegrationConnector, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'connector_id' })
  connector?: IntegrationConnector;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Non-secret configuration only. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  /** Secret fields, AES-256-GCM encrypted, each envelope tagged with its key id. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  encryptedSecrets: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** `active`, or `needs_attention` after the provider refused the credentials (until a test or new config succeeds). */
  @Column({ type: 'varchar', length: 20, default: 'active' })
  status: IntegrationStatus;

  /** The provider's reason for the last refusal (secrets scrubbed). */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** The last successful connection test or action. */
  @Column({ type: 'timestamptz', nullable: true })
  lastSyncAt: Date | null;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
