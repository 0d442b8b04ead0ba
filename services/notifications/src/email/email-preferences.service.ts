import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type EmailMode } from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';
import { NotificationsConfig } from '../config/notifications.config.js';
import { UnsubscribeTokenInvalidError } from './email.errors.js';
import { UnsubscribeTokens } from './unsubscribe-token.js';

/** Per-user e-mail preferences (immediate by default) and the one-click unsubscribe. */
@Injectable()
export class EmailPreferencesService {
  private readonly tokens: UnsubscribeTokens;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(NotificationsConfig) config: NotificationsConfig,
  ) {
    this.tokens = new UnsubscribeTokens(config.NOTIFICATIONS_SECRET_KEY);
  }

  async get(userId: string): Promise<EmailMode> {
    const row = await queryOne<{ mode: EmailMode }>(
      this.orm.em.fork(),
      'select mode from notifications.email_preferences where user_id = ?',
      [userId],
    );
    return row?.mode ?? 'immediate';
  }

  /**
   * Sets the mode. Mails not sent yet follow it: turning e-mail off suppresses them, a digest
   * takes the pending ones, immediate sends the digest's ones at once.
   */
  async set(userId: string, mode: EmailMode): Promise<EmailMode> {
    await this.orm.em.fork().transactional(async (em) => {
      await query(
        em,
        `insert into notifications.email_preferences (user_id, mode) values (?, ?)
         on conflict (user_id) do update set mode = excluded.mode, updated_at = now()`,
        [userId, mode],
      );
      const [status, reason] =
        mode === 'off'
          ? ['suppressed', 'preference_off']
          : mode === 'daily_digest'
            ? ['digest_pending', null]
            : ['pending', null];
      await query(
        em,
        `update notifications.email_deliveries set status = ?, reason = ?
         where user_id = ? and status in ('pending', 'digest_pending')`,
        [status, reason, userId],
      );
    });
    return mode;
  }

  /** The one-click unsubscribe (RFC 8058): the token names the user, e-mail goes off. */
  async unsubscribe(token: string): Promise<EmailMode> {
    const userId = this.tokens.verify(token);
    if (!userId) throw new UnsubscribeTokenInvalidError();
    return this.set(userId, 'off');
  }

  /** The token, when this service signed it. */
  checkedToken(token: string): string {
    if (!this.tokens.verify(token)) throw new UnsubscribeTokenInvalidError();
    return token;
  }

  unsubscribeToken(userId: string): string {
    return this.tokens.sign(userId);
  }
}
