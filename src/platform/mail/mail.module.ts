import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { LogMailTransport } from './log.transport';
import { MailService } from './mail.service';
import { MailTransport } from './mail.types';

@Global()
@Module({
  providers: [
    {
      provide: MailTransport,
      inject: [AppConfig],
      useFactory: (config: AppConfig): MailTransport => {
        if (config.mail.transport !== 'smtp') return new LogMailTransport(config.isDevelopment);
        // nodemailer only when it is used
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { SmtpMailTransport } = require('./smtp.transport') as typeof import('./smtp.transport.js');
        return new SmtpMailTransport(config);
      },
    },
    MailService,
  ],
  exports: [MailService, MailTransport],
})
export class MailModule {}
