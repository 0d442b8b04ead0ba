import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { PINO_LOGGER } from '@ihf/observability';
import { type Logger } from 'pino';
import { IdentityConfig } from '../config/identity.config.js';
import { type User } from './user.entity.js';
import { bumpVersion } from './user-version.js';

/** What one password check did to the account. */
export type PasswordAttemptOutcome = 'ok' | 'refused' | 'locked_out';

/**
 * The attempt accounting of every endpoint that checks a user's password (sign-in and
 * change-password), so that neither allows more guesses than the other.
 *
 * Each wrong password increments `failed_login_attempts`; reaching `IHF_LOGIN_MAX_FAILURES`
 * sets `locked_at` and emits user.locked; while locked every check fails (the correct password
 * too) until an admin unlocks or `IHF_LOGIN_LOCKOUT_COOLDOWN_SEC` passes; a success resets
 * the counter. Lifting a lock (the cool-down passed) emits user.unlocked.
 */
@Injectable()
export class PasswordAttempts {
  constructor(
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(IdentityConfig) private readonly config: IdentityConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Records the result of a password verification on `user`, which the caller has locked
   * (`FOR UPDATE`) in `em`'s transaction and flushes afterwards. `ok` only when the password
   * was right and the account is not locked.
   */
  record(em: EntityManager, user: User, passwordOk: boolean, now: Date): PasswordAttemptOutcome {
    if (user.lockedAt) {
      if (!this.cooldownPassed(user.lockedAt, now)) return 'refused';
      user.lockedAt = null;
      user.failedLoginAttempts = 0;
      bumpVersion(user, now);
      this.outbox.add(
        em,
        Subjects.Identity.UserUnlockedV1,
        { user_id: user.id, unlocked_at: now.toISOString(), cause: 'cooldown' },
        { aggregateId: user.id, aggregateVersion: user.version },
      );
    }
    if (passwordOk) {
      user.failedLoginAttempts = 0;
      return 'ok';
    }
    user.failedLoginAttempts += 1;
    if (user.failedLoginAttempts < this.config.IHF_LOGIN_MAX_FAILURES) return 'refused';
    user.lockedAt = now;
    bumpVersion(user, now);
    this.outbox.add(
      em,
      Subjects.Identity.UserLockedV1,
      {
        user_id: user.id,
        locked_at: now.toISOString(),
        failed_login_attempts: user.failedLoginAttempts,
      },
      { aggregateId: user.id, aggregateVersion: user.version },
    );
    this.logger.warn(
      { user_id: user.id, failed_login_attempts: user.failedLoginAttempts },
      'Password checks locked after repeated failures',
    );
    return 'locked_out';
  }

  private cooldownPassed(lockedAt: Date, now: Date): boolean {
    const cooldown = this.config.IHF_LOGIN_LOCKOUT_COOLDOWN_SEC;
    return cooldown > 0 && now.getTime() - lockedAt.getTime() >= cooldown * 1000;
  }
}
