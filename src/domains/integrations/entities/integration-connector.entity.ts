import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';

/** The connector catalogue (seeded by migration): GitHub, Slack, Google Drive, Dropbox, AWS S3, Email. */
@Entity('integration_connectors')
export class IntegrationConnector {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Index('uq_integration_connectors_service_type', { unique: true })
  @Column({ type: 'varchar', length: 50 })
  serviceType: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** JSON Schema of the connector's config; secret fields carry `writeOnly: true`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  configSchema: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @CreatedAt()
  createdAt: Date;
}
