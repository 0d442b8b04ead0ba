import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type EntityManager,
  MikroORM,
  LockMode,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { type RoleName, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { lockSessionsOf, revokeAllSessions } from '../auth/refresh-token.js';
import { normaliseEmail } from './email.js';
import { PasswordAttempts } from './password-attempts.js';
import { PasswordHasher } from './password-hasher.js';
import { passwordPolicyViolations } from './password-policy.js';
import { User } from './user.entity.js';
import { bumpVersion } from './user-version.js';
import {
  CurrentPasswordIncorrectError,
  EmailTakenError,
  LastAdminError,
  UserDeactivatedError,
  UserNotFoundError,
  WeakPasswordError,
} from './users.errors.js';

/** What creating a user takes. */
export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly roles: readonly RoleName[];
  readonly hubIds?: readonly string[];
}

/** A page of users (keyset pagination by id). */
export interface UserPage {
  readonly items: User[];
  readonly nextCursor: string | null;
}

const dedupe = <T>(values: readonly T[]): T[] => [...new Set(values)];

/**
 * User administration: create, read, list, update name/roles, hub memberships, unlock,
 * deactivate. Every change that other services care about writes its event to the outbox in
 * the same transaction.
 */
@Injectable()
export class UsersService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(PasswordAttempts) private readonly passwordAttempts: PasswordAttempts,
  ) {}

  /** Creates a user; emits user.created (and membership.changed when it has hubs). */
  async create(input: NewUser): Promise<User> {
    const email = normaliseEmail(input.email);
    this.checkPolicy(input.password, email);
    const passwordHash = await this.hasher.hash(input.password);
    const now = new Date();
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const user = em.create(User, {
          id: randomUUID(),
          email,
          passwordHash,
          name: input.name.trim(),
          roles: dedupe(input.roles),
          hubIds: dedupe((input.hubIds ?? []).map((h) => h.toLowerCase())),
          failedLoginAttempts: 0,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        em.persist(user);
        this.outbox.add(
          em,
          Subjects.Identity.UserCreatedV1,
          {
            user_id: user.id,
            kind: 'user',
            name: user.name,
            email: user.email,
            roles: [...user.roles],
            created_at: now.toISOString(),
          },
          { aggregateId: user.id, aggregateVersion: user.version },
        );
        if (user.hubIds.length > 0) this.membershipChanged(em, user);
        await em.flush();
        return user;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw err;
    }
  }

  async get(id: string): Promise<User> {
    const user = await this.orm.em.fork().findOne(User, { id });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  async list(limit: number, cursor?: string): Promise<UserPage> {
    const items = await this.orm.em.fork().find(User, cursor ? { id: { $gt: cursor } } : {}, {
      orderBy: { id: 'asc' },
      limit: limit + 1,
    });
    const more = items.length > limit;
    const page = more ? items.slice(0, limit) : items;
    return { items: page, nextCursor: more ? page[page.length - 1].id : null };
  }

  /** Changes name and/or roles; a roles change emits membership.changed. */
  async update(id: string, changes: { name?: string; roles?: readonly RoleName[] }): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      // Before the user's own lock: the admins are always locked first, in id order.
      const admins =
        changes.roles?.includes('admin') === false ? await this.lockActiveAdmins(em) : [];
      const user = await this.lockUser(em, id);
      if (changes.name !== undefined) user.name = changes.name.trim();
      if (changes.roles !== undefined) {
        const roles = dedupe(changes.roles);
        const rolesChanged =
          roles.length !== user.roles.length || roles.some((r) => !user.roles.includes(r));
        if (rolesChanged) {
          if (user.roles.includes('admin') && !roles.includes('admin')) {
            this.assertAnotherActiveAdmin(admins, user.id);
          }
          user.roles = roles;
          bumpVersion(user, new Date());
          this.membershipChanged(em, user);
        }
      }
      user.updatedAt = new Date();
      await em.flush();
      return user;
    });
  }

  /** Replaces the hubs the user may act in; emits membership.changed when they differ. */
  async setHubs(id: string, hubIds: readonly string[]): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      const next = dedupe(hubIds.map((h) => h.toLowerCase()));
      const changed =
        next.length !== user.hubIds.length || next.some((h) => !user.hubIds.includes(h));
      if (changed) {
        user.hubIds = next;
        bumpVersion(user, new Date());
        this.membershipChanged(em, user);
        await em.flush();
      }
      return user;
    });
  }

  /** Lifts a sign-in lock and resets the failure counter; emits user.unlocked when locked. */
  async unlock(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      const now = new Date();
      if (user.lockedAt) {
        bumpVersion(user, now);
        this.outbox.add(
          em,
          Subjects.Identity.UserUnlockedV1,
          { user_id: user.id, unlocked_at: now.toISOString(), cause: 'admin' },
          { aggregateId: user.id, aggregateVersion: user.version },
        );
      }
      user.lockedAt = null;
      user.failedLoginAttempts = 0;
      user.updatedAt = now;
      await em.flush();
      return user;
    });
  }

  /**
   * Deactivates a user: no more sign-ins, every session ended (refresh tokens revoked and
   * `sessions_valid_after` moved); emits user.deactivated. Idempotent.
   */
  async deactivate(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      // Lock order: session families, the admins (in id order), the user.
      await lockSessionsOf(em, id);
      const admins = await this.lockActiveAdmins(em);
      const user = await this.lockUser(em, id);
      if (user.deactivatedAt) return user;
      if (user.roles.includes('admin')) this.assertAnotherActiveAdmin(admins, user.id);
      const now = new Date();
      user.deactivatedAt = now;
      user.sessionsValidAfter = now;
      bumpVersion(user, now);
      await revokeAllSessions(em, user.id, now);
      this.outbox.add(
        em,
        Subjects.Identity.UserDeactivatedV1,
        { user_id: user.id, deactivated_at: now.toISOString() },
        { aggregateId: user.id, aggregateVersion: user.version },
      );
      await em.flush();
      return user;
    });
  }

  /**
   * Lets a deactivated user sign in again (with a clean failure counter); emits
   * user.reactivated. Idempotent.
   */
  async reactivate(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      if (!user.deactivatedAt) return user;
      const now = new Date();
      user.deactivatedAt = null;
      user.lockedAt = null;
      user.failedLoginAttempts = 0;
      bumpVersion(user, now);
      this.outbox.add(
        em,
        Subjects.Identity.UserReactivatedV1,
        { user_id: user.id, reactivated_at: now.toISOString() },
        { aggregateId: user.id, aggregateVersion: user.version },
      );
      await em.flush();
      return user;
    });
  }

  /** Sets a new password (policy checked); ends every session of the user. */
  async setPassword(id: string, password: string): Promise<void> {
    const existing = await this.get(id);
    if (existing.deactivatedAt) throw new UserDeactivatedError(id);
    this.checkPolicy(password, existing.email);
    const passwordHash = await this.hasher.hash(password);
    await this.orm.em.fork().transactional(async (em) => {
      await lockSessionsOf(em, id);
      const user = await this.lockUser(em, id);
      this.replacePassword(user, passwordHash, new Date());
      await revokeAllSessions(em, id, user.updatedAt);
      await em.flush();
    });
  }

  /**
   * A user changes their own password, proving the current one. The proof counts as a sign-in
   * attempt ({@link PasswordAttempts}): wrong guesses lock the account as at sign-in.
   */
  async changeOwnPassword(id: string, current: string, next: string): Promise<void> {
    const found = await this.orm.em.fork().findOne(User, { id }, { populate: ['passwordHash'] });
    if (!found) throw new UserNotFoundError(id);
    if (found.deactivatedAt) throw new UserDeactivatedError(id);
    // Refused before the current password is checked: a weak new one costs no attempt.
    this.checkPolicy(next, found.email);
    // argon2 is slow: both hashes are computed before the row lock is taken.
    const currentOk = await this.hasher.verify(found.passwordHash, current);
    const passwordHash = currentOk ? await this.hasher.hash(next) : undefined;
    const outcome = await this.orm.em.fork().transactional(async (em) => {
      if (currentOk) await lockSessionsOf(em, id);
      const user = await this.lockUser(em, id);
      if (user.deactivatedAt) throw new UserDeactivatedError(id);
      const now = new Date();
      const attempt = this.passwordAttempts.record(em, user, currentOk, now);
      if (attempt === 'ok' && passwordHash) {
        this.replacePassword(user, passwordHash, now);
        await revokeAllSessions(em, id, now);
      }
      await em.flush();
      return attempt;
    });
    if (outcome !== 'ok') throw new CurrentPasswordIncorrectError();
  }

  /** Ends every session of the user ("sign out everywhere"). */
  async endAllSessions(id: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await lockSessionsOf(em, id);
      const user = await this.lockUser(em, id);
      const now = new Date();
      user.sessionsValidAfter = now;
      user.updatedAt = now;
      await revokeAllSessions(em, id, now);
      await em.flush();
    });
  }

  /** Number of active (not deactivated) admins. */
  async countActiveAdmins(em: EntityManager = this.orm.em.fork()): Promise<number> {
    return em.count(User, { roles: { $contains: ['admin'] }, deactivatedAt: null });
  }

  private async lockUser(em: EntityManager, id: string): Promise<User> {
    const user = await em.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  /**
   * Locks the active admins (`FOR UPDATE`, in id order) and returns their ids. Every change
   * that can remove an admin takes these locks before its own row lock, so two admins demoting
   * or deactivating each other run one after the other and the second sees the first's result
   * (a plain count would let both pass and leave no admin).
   */
  private async lockActiveAdmins(em: EntityManager): Promise<string[]> {
    const rows = await (em as unknown as SqlEntityManager).execute<{ id: string }[]>(
      `select id from "identity".users where roles @> array['admin']::text[]
         and deactivated_at is null order by id for update`,
    );
    return rows.map((r) => r.id);
  }

  private assertAnotherActiveAdmin(activeAdmins: readonly string[], exceptId: string): void {
    if (!activeAdmins.some((id) => id !== exceptId)) throw new LastAdminError();
  }

  private checkPolicy(password: string, email: string): void {
    const violations = passwordPolicyViolations(password, email);
    if (violations.length > 0) throw new WeakPasswordError(violations);
  }

  private replacePassword(user: User, passwordHash: string, now: Date): void {
    user.passwordHash = passwordHash;
    user.sessionsValidAfter = now;
    user.updatedAt = now;
  }

  private membershipChanged(em: EntityManager, user: User): void {
    this.outbox.add(
      em,
      Subjects.Identity.MembershipChangedV1,
      { user_id: user.id, hub_ids: [...user.hubIds], roles: [...user.roles] },
      { aggregateId: user.id, aggregateVersion: user.version },
    );
  }
}
