import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { NotificationsConfig } from '../config/notifications.config.js';

/** One mail to one person, with the one-click unsubscribe link of RFC 8058. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly unsubscribeUrl: string;
}

/** Hands mail to the SMTP server of SMTP_URL (nodemailer; bounded by timeouts). */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(@Inject(NotificationsConfig) private readonly config: NotificationsConfig) {
    const options: SMTPTransport.Options = {
      url: config.SMTP_URL,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    };
    this.transport = nodemailer.createTransport(options);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.config.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: `${mail.text}\n\n--\nTo stop these e-mails: ${mail.unsubscribeUrl}\n`,
      // RFC 8058: a mail client may unsubscribe with one POST to this URL, without a page.
      list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Unsubscribe' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
