/** The events domain's public API: other domains and the composition roots import only this. */
export { EventResponse } from './dto/event.response';
export { Event } from './entities/event.entity';
export { EventsQueryService } from './events-query.service';
export { EventsModule } from './events.module';
export { UploadedFiles } from './uploaded-files';
export { UploadedFilesModule } from './uploaded-files.module';
