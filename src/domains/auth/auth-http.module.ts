import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import { SessionsController } from './sessions.controller';

/** The auth routes and the global authentication guard (registered by AppModule). */
@Module({
  imports: [AuthModule],
  controllers: [AuthController, SessionsController],
  providers: [AuthGuard],
  exports: [AuthGuard, AuthModule],
})
export class AuthHttpModule {}
