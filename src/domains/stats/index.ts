/** The stats domain's public API: other domains and the composition roots import only this. */
export { UserStats } from './entities/user-stats.entity';
export { StatsModule } from './stats.module';
export { StatsService } from './stats.service';
