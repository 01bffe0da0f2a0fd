import { Module } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { LocalStorageDriver } from './local-storage.driver';
import { StorageService } from './storage.service';

/** Provides the StorageService port with the driver STORAGE_DRIVER selects. */
@Module({
  providers: [
    {
      provide: StorageService,
      inject: [AppConfig],
      useFactory: (config: AppConfig): StorageService => {
        if (config.storage.driver !== 's3') return new LocalStorageDriver(config.storage.uploadDir);
        // The AWS SDK is loaded only when it is used: it costs ~170 ms of boot and memory.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createS3Client, S3StorageDriver } = require('./s3-storage.driver') as typeof import('./s3-storage.driver.js');
        return new S3StorageDriver(createS3Client(config.storage.s3), config.storage.s3.bucket);
      },
    },
  ],
  exports: [StorageService],
})
export class StorageModule {}
