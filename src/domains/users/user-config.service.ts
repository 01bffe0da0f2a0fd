import { Injectable } from '@nestjs/common';
import type { UpdateUserConfigDto } from './dto/user-config.dto';
import type { UserConfig } from './entities/user-config.entity';
import { UserConfigsRepository } from './user-configs.repository';

/** The user's client configuration (watched directories, tracking, suggestions, privacy). */
@Injectable()
export class UserConfigService {
  constructor(private readonly configs: UserConfigsRepository) {}

  /** The user's config; created with the defaults if missing (accounts from before configs). */
  async get(userId: string): Promise<UserConfig> {
    const found = await this.configs.find(userId);
    if (found) return found;
    await this.configs.insertDefaultsIfMissing(userId);
    return this.configs.findOrFail(userId);
  }

  /** Partial update in one statement: lists are replaced, nested objects merged key by key. */
  async update(userId: string, dto: UpdateUserConfigDto): Promise<UserConfig> {
    await this.get(userId);
    await this.configs.update(userId, {
      monitoredDirectories: dto.monitored_directories,
      excludePatterns: dto.exclude_patterns,
      trackingConfig: dto.tracking_config,
      suggestionsConfig: dto.suggestions_config,
      privacyConfig: dto.privacy_config,
    });
    return this.configs.findOrFail(userId);
  }
}
