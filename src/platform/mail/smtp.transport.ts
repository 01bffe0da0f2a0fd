import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '@/platform/config/app-config';
import { type MailMessage, MailTransport } from './mail.types';

/** @public Loaded lazily by MailModule (nodemailer only when SMTP is configured). */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(private readonly config: AppConfig) {
    super();
    const { host, port, secure, user, password } = config.mail.smtp;
    this.transporter = createTransport({
      host,
      port,
      secure,
      auth: user ? { user, pass: password } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({
      from: this.config.mail.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }
}
