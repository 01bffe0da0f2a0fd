export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** What the mail is for (verification, password_reset, ...): for logs and tests. */
  kind: string;
  /** Machine-readable payload (e.g. the token) — kept by the log transport's outbox only. */
  data?: Record<string, string>;
}

/** The mail port: one method, two transports (log for dev/test, SMTP when configured). */
export abstract class MailTransport {
  abstract send(message: MailMessage): Promise<void>;
}
