import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LogMailTransport } from './log.transport';
import { MailService } from './mail.service';
import { MailTransport } from './mail.types';
import { SmtpMailTransport } from './smtp.transport';

@Global()
@Module({
  providers: [
    {
      provide: MailTransport,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.mail.transport === 'smtp' ? new SmtpMailTransport(config) : new LogMailTransport(config.isDevelopment),
    },
    MailService,
  ],
  exports: [MailService, MailTransport],
})
export class MailModule {}
