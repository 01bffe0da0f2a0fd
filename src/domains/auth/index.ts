/** The auth domain's public API: other domains and the composition roots import only this. */
export { AuthHttpModule } from './auth-http.module';
export { AuthGuard } from './auth.guard';
export { AuthModule } from './auth.module';
export { RefreshToken } from './entities/refresh-token.entity';
export { UserSession } from './entities/user-session.entity';
export { SessionsService } from './sessions.service';
export { AuthWorkerModule } from './worker/auth-worker.module';
