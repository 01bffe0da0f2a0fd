import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StorageModule } from '@/platform/storage/storage.module';
import { Event } from './entities/event.entity';
import { EventsRepository } from './events.repository';
import { UploadedFiles } from './uploaded-files';

/** UploadedFiles on its own (the worker has no use for the rest of the events domain). */
@Module({
  imports: [TypeOrmModule.forFeature([Event]), StorageModule],
  providers: [EventsRepository, UploadedFiles],
  exports: [UploadedFiles],
})
export class UploadedFilesModule {}
