import { Logger } from '@nestjs/common';
import { AbstractLogger, type LoggerOptions, type LogLevel, type LogMessage } from 'typeorm';
import { redactErrorText } from '@/platform/logging/error-redaction';

type Entry = LogMessage | string | number;

/**
 * TypeORM's log lines through Nest's logger (JSON, with the request id), never with SQL
 * parameters: a statement is logged as its text, whose values are placeholders — the
 * values themselves (token and password hashes, user data) are not. A failed statement's
 * error is redacted like every logged error (platform/logging/error-redaction.ts).
 */
export class TypeOrmLogger extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');

  /** What to log from now on (TypeORM's CLI commands set their own `logging`). */
  setLevels(options: LoggerOptions): void {
    this.options = options;
  }

  protected writeLog(level: LogLevel, logMessage: Entry | Entry[]): void {
    const entries = Array.isArray(logMessage) ? logMessage : [logMessage];
    const parameters = entries.flatMap((e) => (typeof e === 'object' && Array.isArray(e.parameters) ? e.parameters : []));
    const messages = this.prepareLogMessages(entries, { appendParameterAsComment: false, highlightSql: false });
    const text = messages.map((m) => [m.prefix, textOf(m.message, parameters)].filter(Boolean).join(' ')).join(' — ');
    if (level === 'error') this.logger.error(text);
    else if (level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}

/** A query-error entry's message is the driver's error object, not text. */
function textOf(message: unknown, parameters: unknown[]): string {
  if (message instanceof Error) return redactErrorText(message.message, { code: (message as { code?: unknown }).code, parameters });
  return String(message);
}
