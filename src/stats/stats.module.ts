import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserStats } from './entities/user-stats.entity';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** GET /api/stats and the per-user counters every list total reads. */
@Module({
  imports: [TypeOrmModule.forFeature([UserStats])],
  controllers: [StatsController],
  providers: [StatsService],
  exports: [StatsService],
})
export class StatsModule {}
