import { Module } from '@nestjs/common';
import { AuthModule } from '../auth.module';
import { SessionsJobs } from './sessions.jobs';

/** The worker side of auth: the purge of old sessions. */
@Module({
  imports: [AuthModule],
  providers: [SessionsJobs],
})
export class AuthWorkerModule {}
