/** The users domain's public API: other domains and the composition roots import only this. */
export { UserConfigResponse } from './dto/user-config.dto';
export { UserResponse } from './dto/user.response';
export { UserConfig } from './entities/user-config.entity';
export { UserOwnedEntity } from './entities/user-owned.entity';
export { User } from './entities/user.entity';
export { UserConfigService } from './user-config.service';
export { UsersModule } from './users.module';
export { UsersService, normaliseEmail } from './users.service';
