import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, LockMode, MikroORM } from '@mikro-orm/core';
import { MetricsService, PINO_LOGGER } from '@ihf/observability';
import { Counter } from 'prom-client';
import { type Logger } from 'pino';
import { IdentityConfig } from '../config/identity.config.js';
import { normaliseEmail } from '../users/email.js';
import { PasswordAttempts } from '../users/password-attempts.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { User } from '../users/user.entity.js';
import { AccessTokenIssuer } from '../keys/access-token.issuer.js';
import { InvalidCredentialsError, InvalidRefreshTokenError } from './auth.errors.js';
import { RefreshToken } from './refresh-token.entity.js';
import { generateRefreshToken, hashRefreshToken, lockFamilies } from './refresh-token.js';

/** What a successful sign-in or refresh answers. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
}

type LoginOutcome = { ok: true; tokens: SessionTokens } | { ok: false };

/**
 * Sign-in with lockout, refresh token rotation with reuse detection, and sign-out.
 *
 * Lockout (the seed's `failed_login_attempts` / `locked_at`) is {@link PasswordAttempts}, shared
 * with change-password.
 *
 * Every refusal is the same {@link InvalidCredentialsError}, and every path spends one argon2
 * verification (a dummy one for unknown e-mails), so neither the answer nor its timing tells
 * which e-mails exist.
 */
@Injectable()
export class AuthService {
  private readonly attempts: Counter<'outcome'>;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(PasswordAttempts) private readonly passwordAttempts: PasswordAttempts,
    @Inject(AccessTokenIssuer) private readonly issuer: AccessTokenIssuer,
    @Inject(IdentityConfig) private readonly config: IdentityConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.attempts = new Counter({
      name: 'ihf_identity_login_attempts_total',
      help: 'Password sign-in attempts by outcome (success, refused, locked_out).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  async login(email: string, password: string): Promise<SessionTokens> {
    const found = await this.orm.em
      .fork()
      .findOne(User, { email: normaliseEmail(email) }, { populate: ['passwordHash'] });
    if (!found) {
      await this.hasher.verifyDummy(password);
      this.attempts.inc({ outcome: 'refused' });
      throw new InvalidCredentialsError();
    }
    // Verified before taking the row lock: argon2 is slow and must not hold it.
    const passwordOk = await this.hasher.verify(found.passwordHash, password);
    // Hashes made with older argon2 parameters are upgraded on the next successful sign-in.
    const rehashed =
      passwordOk && this.hasher.needsRehash(found.passwordHash)
        ? await this.hasher.hash(password)
        : undefined;
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<LoginOutcome> => {
      const user = await em.findOne(
        User,
        { id: found.id },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!user || user.deactivatedAt) return { ok: false };
      const now = new Date();
      const attempt = this.passwordAttempts.record(em, user, passwordOk, now);
      if (attempt !== 'ok') {
        if (attempt === 'locked_out') this.attempts.inc({ outcome: 'locked_out' });
        await em.flush();
        return { ok: false };
      }
      user.lastLoginAt = now;
      if (rehashed) user.passwordHash = rehashed;
      const refresh = this.newRefreshToken(em, user.id, randomUUID(), now);
      await em.flush();
      return { ok: true, tokens: this.tokensFor(user, refresh) };
    });
    this.attempts.inc({ outcome: outcome.ok ? 'success' : 'refused' });
    if (!outcome.ok) throw new InvalidCredentialsError();
    return outcome.tokens;
  }

  /**
   * Exchanges a refresh token for new tokens, rotating it. A token that was already used (or
   * revoked) revokes its whole family: either the legitimate client or a thief holds a copy,
   * and both must sign in again.
   *
   * Rotation and every revocation hold the family's lock ({@link lockFamilies}), so a
   * revocation cannot miss the successor a concurrent refresh is inserting; a token older than
   * the user's `sessions_valid_after` is refused as well.
   */
  async refresh(token: string): Promise<SessionTokens> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<LoginOutcome> => {
      const seen = await em.findOne(RefreshToken, { tokenHash });
      if (!seen) return { ok: false };
      // Lock order, shared with every revocation: the family, the user (here FOR SHARE: a
      // password change or deactivation waits for this rotation, or it waits for them and
      // sees `sessions_valid_after`), then the token.
      await lockFamilies(em, [seen.familyId]);
      const user = await em.findOne(
        User,
        { id: seen.userId },
        { lockMode: LockMode.PESSIMISTIC_READ },
      );
      const stored = await em.findOne(
        RefreshToken,
        { tokenHash },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!stored) return { ok: false };
      const now = new Date();
      if (stored.usedAt || stored.revokedAt) {
        if (stored.usedAt) {
          this.logger.warn(
            { user_id: stored.userId, family_id: stored.familyId },
            'Refresh token reused: revoking its family',
          );
        }
        await this.revokeFamily(em, stored.familyId, now);
        return { ok: false };
      }
      if (stored.expiresAt.getTime() <= now.getTime()) return { ok: false };
      if (
        !user ||
        user.deactivatedAt ||
        (user.sessionsValidAfter && stored.createdAt.getTime() < user.sessionsValidAfter.getTime())
      ) {
        await this.revokeFamily(em, stored.familyId, now);
        return { ok: false };
      }
      stored.usedAt = now;
      const refresh = this.newRefreshToken(em, user.id, stored.familyId, now);
      await em.flush();
      return { ok: true, tokens: this.tokensFor(user, refresh) };
    });
    if (!outcome.ok) throw new InvalidRefreshTokenError();
    return outcome.tokens;
  }

  /** Revokes the refresh token's family (the session). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const stored = await em.findOne(RefreshToken, { tokenHash: hashRefreshToken(token) });
      if (stored) await this.revokeFamily(em, stored.familyId, new Date());
    });
  }

  private newRefreshToken(
    em: EntityManager,
    userId: string,
    familyId: string,
    now: Date,
  ): { token: string; expiresIn: number } {
    const token = generateRefreshToken();
    const expiresIn = this.config.IHF_REFRESH_TOKEN_TTL_SEC;
    em.persist(
      em.create(RefreshToken, {
        id: randomUUID(),
        familyId,
        userId,
        tokenHash: hashRefreshToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + expiresIn * 1000),
      }),
    );
    return { token, expiresIn };
  }

  /** Revokes one family, holding its lock (in `em`'s transaction). */
  private async revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
    await lockFamilies(em, [familyId]);
    await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: now });
  }

  private tokensFor(user: User, refresh: { token: string; expiresIn: number }): SessionTokens {
    const access = this.issuer.issue({
      id: user.id,
      email: user.email,
      roles: user.roles,
      hubIds: user.hubIds,
      kind: 'user',
    });
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: refresh.token,
      refreshExpiresIn: refresh.expiresIn,
    };
  }
}
