import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { PINO_LOGGER } from '@ihf/observability';
import { query } from '@ihf/persistence';
import { type Logger } from '@ihf/messaging';
import { NotificationsConfig } from '../config/notifications.config.js';
import { EmailPreferencesService } from './email-preferences.service.js';
import { Mailer } from './mailer.js';
import { UNSUBSCRIBE_PATH } from './unsubscribe-token.js';

interface DueMail {
  id: string;
  user_id: string;
  email: string | null;
  subject: string;
  body: string;
  attempts: number;
}

/** How long a claimed mail is hidden from other replicas while it is being sent. */
const CLAIM_LEASE = `interval '5 minutes'`;
const BATCH = 20;

/**
 * Sends the e-mails the notices wrote: the immediate ones (within the user's hourly limit; more
 * go to the digest), then the digests whose first item waited EMAIL_DIGEST_INTERVAL_MS. Rows are
 * claimed with `for update skip locked` and a lease, so replicas never send one mail twice; a
 * failed send is retried with back-off.
 */
@Injectable()
export class EmailWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(NotificationsConfig) private readonly config: NotificationsConfig,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(EmailPreferencesService) private readonly preferences: EmailPreferencesService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.error({ err }, 'email worker: tick failed'))
        .finally(() => (this.running = undefined));
    }, this.config.NOTIFICATIONS_POLL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: due immediate mails, then due digests. */
  async tick(): Promise<void> {
    await this.sendImmediate();
    await this.sendDigests();
  }

  private link(userId: string): string {
    const base = this.config.NOTIFICATIONS_PUBLIC_URL.replace(/\/$/, '');
    return `${base}${UNSUBSCRIBE_PATH}?token=${this.preferences.unsubscribeToken(userId)}`;
  }

  private async sendImmediate(): Promise<void> {
    const em = this.orm.em.fork();
    const due = await query<DueMail>(
      em,
      `update notifications.email_deliveries d
       set next_attempt_at = now() + ${CLAIM_LEASE}, attempts = d.attempts + 1
       from notifications.principals p
       where p.user_id = d.user_id and d.id in (
         select id from notifications.email_deliveries
         where status = 'pending' and next_attempt_at <= now()
         order by next_attempt_at limit ${BATCH} for update skip locked)
       returning d.id, d.user_id, p.email, d.subject, d.body, d.attempts`,
    );
    for (const mail of due) await this.sendOne(em, mail);
  }

  private async sendOne(em: EntityManager, mail: DueMail): Promise<void> {
    if (!mail.email) {
      await query(
        em,
        `update notifications.email_deliveries set status = 'suppressed', reason = 'no_address' where id = ?`,
        [mail.id],
      );
      return;
    }
    const [{ sent }] = await query<{ sent: number }>(
      em,
      `select count(*)::int as sent from notifications.email_deliveries
       where user_id = ? and status = 'sent' and sent_at > now() - interval '1 hour'`,
      [mail.user_id],
    );
    // Immediate mails count (a digest is one mail whatever it holds, and the way out of the limit).
    if (sent >= this.config.EMAIL_RATE_LIMIT_PER_HOUR) {
      // Over the hourly limit: nothing is lost, it waits for the user's digest.
      await query(
        em,
        `update notifications.email_deliveries set status = 'digest_pending', reason = 'rate_limited' where id = ?`,
        [mail.id],
      );
      return;
    }
    try {
      await this.mailer.send({
        to: mail.email,
        subject: mail.subject,
        text: mail.body,
        unsubscribeUrl: this.link(mail.user_id),
      });
      await query(
        em,
        `update notifications.email_deliveries set status = 'sent', sent_at = now(), last_error = null where id = ?`,
        [mail.id],
      );
    } catch (err) {
      const delayS = Math.min(30 * 2 ** (mail.attempts - 1), 3600);
      this.logger.warn({ err, delivery: mail.id }, 'email worker: send failed, will retry');
      await query(
        em,
        `update notifications.email_deliveries
         set last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
        [String((err as Error).message ?? err).slice(0, 500), delayS, mail.id],
      );
    }
  }

  private async sendDigests(): Promise<void> {
    const users = await query<{ user_id: string }>(
      this.orm.em.fork(),
      `select user_id from notifications.email_deliveries where status = 'digest_pending'
       group by user_id having min(created_at) <= now() - make_interval(secs => ?) limit ${BATCH}`,
      [this.config.EMAIL_DIGEST_INTERVAL_MS / 1000],
    );
    for (const { user_id } of users) {
      await this.orm.em.fork().transactional(async (em) => {
        const items = await query<{
          id: string;
          subject: string;
          body: string;
          email: string | null;
        }>(
          em,
          `select d.id, d.subject, d.body, p.email from notifications.email_deliveries d
           join notifications.principals p on p.user_id = d.user_id
           where d.user_id = ? and d.status = 'digest_pending'
           order by d.created_at for update of d skip locked`,
          [user_id],
        );
        const email = items[0]?.email;
        if (!email) return;
        await this.mailer.send({
          to: email,
          subject: `Your IHF digest: ${items.length} update${items.length === 1 ? '' : 's'}`,
          text: items.map((i) => `* ${i.subject}\n  ${i.body.replace(/\n/g, '\n  ')}`).join('\n\n'),
          unsubscribeUrl: this.link(user_id),
        });
        await query(
          em,
          `update notifications.email_deliveries set status = 'digested', sent_at = now()
           where id = any(?::uuid[])`,
          [`{${items.map((i) => i.id).join(',')}}`],
        );
      });
    }
  }
}
