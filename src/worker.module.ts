import { Module } from '@nestjs/common';
import { SessionsModule } from './auth/sessions.module';
import { SessionsProcessor } from './auth/sessions.processor';
import { CoreModule } from './core.module';

/** The worker process: the same core and domain services, Bull processors, no HTTP routes. */
@Module({
  imports: [CoreModule, SessionsModule],
  providers: [SessionsProcessor],
})
export class WorkerModule {}
