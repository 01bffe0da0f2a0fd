import { Logger } from '@nestjs/common';
import { type MailMessage, MailTransport } from './mail.types';

const OUTBOX_LIMIT = 200;

/**
 * Development/test transport: logs that a mail was sent and keeps the last messages in
 * memory (tests read tokens from here, not from the database). The body — which holds
 * single-use tokens — is printed only in development, where a developer needs the link.
 */
export class LogMailTransport extends MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly messages: MailMessage[] = [];

  constructor(private readonly printBody: boolean) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    this.messages.push(message);
    if (this.messages.length > OUTBOX_LIMIT) this.messages.shift();
    this.logger.log(
      this.printBody
        ? `mail (${message.kind}) to ${message.to}: ${message.subject}\n${message.text}`
        : `mail (${message.kind}) to ${message.to}: ${message.subject}`,
    );
  }

  /** Messages sent so far, newest last. */
  outbox(): readonly MailMessage[] {
    return this.messages;
  }
}
