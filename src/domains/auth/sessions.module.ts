import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit/audit.module';
import { UsersModule } from '@/domains/users/users.module';
import { RefreshToken } from './entities/refresh-token.entity';
import { UserSession } from './entities/user-session.entity';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

/** Sessions and tokens without the HTTP surface: used by the API's auth and by the worker. */
@Module({
  imports: [TypeOrmModule.forFeature([UserSession, RefreshToken]), AuditModule, UsersModule],
  providers: [SessionsService, TokenService],
  exports: [SessionsService, TokenService],
})
export class SessionsModule {}
