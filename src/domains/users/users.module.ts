import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserConfig } from './entities/user-config.entity';
import { User } from './entities/user.entity';
import { UserConfigController } from './user-config.controller';
import { UserConfigService } from './user-config.service';
import { UserConfigsRepository } from './user-configs.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserConfig])],
  controllers: [UserConfigController],
  providers: [UsersService, UserConfigService, UsersRepository, UserConfigsRepository],
  exports: [UsersService, UserConfigService],
})
export class UsersModule {}
