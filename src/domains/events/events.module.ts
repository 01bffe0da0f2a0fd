import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from '@/platform/cache/cache.module';
import { PatternsModule } from '@/domains/patterns';
import { StatsModule } from '@/domains/stats';
import { StorageModule } from '@/platform/storage/storage.module';
import { Event } from './entities/event.entity';
import { EventFilesController } from './event-files.controller';
import { EventFilesService } from './event-files.service';
import { EventIngestService } from './event-ingest.service';
import { EventsController } from './events.controller';
import { EventsQueryService } from './events-query.service';
import { EventsRepository } from './events.repository';

/** Activity events: ingest (single, batch, upload), list, export, file download. */
@Module({
  imports: [TypeOrmModule.forFeature([Event]), PatternsModule, StatsModule, CacheModule, StorageModule],
  controllers: [EventsController, EventFilesController],
  providers: [EventIngestService, EventsQueryService, EventFilesService, EventsRepository],
  exports: [EventsQueryService],
})
export class EventsModule {}
