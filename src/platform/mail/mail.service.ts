import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { MailTransport } from './mail.types';

/** The messages the product sends; links point at the SPA (APP_BASE_URL). */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly transport: MailTransport,
    private readonly config: AppConfig,
  ) {}

  sendVerification(to: string, token: string): Promise<void> {
    const link = `${this.config.appBaseUrl}/verify-email?token=${encodeURIComponent(token)}`;
    return this.deliver({
      to,
      kind: 'verification',
      subject: 'Verify your Floyo email address',
      text: `Welcome to Floyo.\n\nConfirm your email address: ${link}\n\nThe link expires in ${this.config.auth.emailTokenTtlSeconds / 3600} hours.`,
      data: { token },
    });
  }

  sendPasswordReset(to: string, token: string): Promise<void> {
    const link = `${this.config.appBaseUrl}/reset-password?token=${encodeURIComponent(token)}`;
    return this.deliver({
      to,
      kind: 'password_reset',
      subject: 'Reset your Floyo password',
      text: `Someone asked to reset the password of this Floyo account.\n\nReset it here: ${link}\n\nThe link expires in ${Math.round(this.config.auth.passwordResetTtlSeconds / 60)} minutes. If it was not you, ignore this mail.`,
      data: { token },
    });
  }

  /** An invitation to an organization: the link carries the single-use token the invitee accepts with. */
  sendInvitation(to: string, token: string, organization: string): Promise<void> {
    const link = `${this.config.appBaseUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
    const days = Math.round(this.config.auth.invitationTtlSeconds / 86_400);
    return this.deliver({
      to,
      kind: 'invitation',
      subject: `You are invited to join ${organization} on Floyo`,
      text:
        `You have been invited to join the organization "${organization}" on Floyo.\n\n` +
        `Accept (sign in or create an account with this email address first): ${link}\n\n` +
        `The invitation expires in ${days} day${days === 1 ? '' : 's'}. If you do not know this organization, ignore this mail.`,
      data: { token },
    });
  }

  /** Mail failures are logged, never surfaced to the caller (no account enumeration). */
  private async deliver(message: Parameters<MailTransport['send']>[0]): Promise<void> {
    try {
      await this.transport.send(message);
    } catch (err) {
      this.logger.error(`sending ${message.kind} mail failed: ${(err as Error).message}`);
    }
  }
}
