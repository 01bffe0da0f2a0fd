import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LocalStorageDriver } from './local-storage.driver';
import { createS3Client, S3StorageDriver } from './s3-storage.driver';
import { StorageService } from './storage.service';

/** Provides the StorageService port with the driver STORAGE_DRIVER selects. */
@Module({
  providers: [
    {
      provide: StorageService,
      inject: [AppConfig],
      useFactory: (config: AppConfig): StorageService =>
        config.storage.driver === 's3'
          ? new S3StorageDriver(createS3Client(config.storage.s3), config.storage.s3.bucket)
          : new LocalStorageDriver(config.storage.uploadDir),
    },
  ],
  exports: [StorageService],
})
export class StorageModule {}
