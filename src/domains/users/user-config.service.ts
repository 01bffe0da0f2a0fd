import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DEFAULT_USER_CONFIG } from './default-config';
import type { UpdateUserConfigDto } from './dto/user-config.dto';
import { UserConfig } from './entities/user-config.entity';

/** The user's client configuration (watched directories, tracking, suggestions, privacy). */
@Injectable()
export class UserConfigService {
  constructor(@InjectRepository(UserConfig) private readonly configs: Repository<UserConfig>) {}

  /** The user's config; created with the defaults if missing (accounts from before configs). */
  async get(userId: string): Promise<UserConfig> {
    const found = await this.configs.findOneBy({ userId });
    if (found) return found;
    await this.configs.createQueryBuilder().insert().values({ userId, ...DEFAULT_USER_CONFIG }).orIgnore().execute();
    return this.configs.findOneByOrFail({ userId });
  }

  /** Partial update in one statement: lists are replaced, nested objects merged key by key. */
  async update(userId: string, dto: UpdateUserConfigDto): Promise<UserConfig> {
    await this.get(userId);
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    await this.configs.query(
      `UPDATE user_configs SET
          monitored_directories = coalesce($2::jsonb, monitored_directories),
          exclude_patterns = coalesce($3::jsonb, exclude_patterns),
          tracking_config = tracking_config || coalesce($4::jsonb, '{}'),
          suggestions_config = suggestions_config || coalesce($5::jsonb, '{}'),
          privacy_config = privacy_config || coalesce($6::jsonb, '{}'),
          updated_at = now()
        WHERE user_id = $1`,
      [
        userId,
        json(dto.monitored_directories),
        json(dto.exclude_patterns),
        json(dto.tracking_config),
        json(dto.suggestions_config),
        json(dto.privacy_config),
      ],
    );
    return this.configs.findOneByOrFail({ userId });
  }
}
