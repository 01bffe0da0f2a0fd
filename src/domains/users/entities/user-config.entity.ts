import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { User } from './user.entity';

@Entity('user_configs')
export class UserConfig {
  @PrimaryColumn('uuid')
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  monitoredDirectories: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  excludePatterns: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  trackingConfig: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  suggestionsConfig: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  privacyConfig: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
