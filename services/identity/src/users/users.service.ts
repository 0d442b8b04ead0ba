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
import { RefreshToken } from '../auth/refresh-token.entity.js';
import { normaliseEmail } from './email.js';
import { PasswordHasher } from './password-hasher.js';
import { passwordPolicyViolations } from './password-policy.js';
import { User } from './user.entity.js';
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
  ) {}

  /** Creates a user; emits user.created (and membership.changed when it has hubs). */
  async create(input: NewUser): Promise<User> {
    const email = normaliseEmail(input.email);
    const violations = passwordPolicyViolations(input.password, email);
    if (violations.length > 0) throw new WeakPasswordError(violations);
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
          createdAt: now,
          updatedAt: now,
        });
        em.persist(user);
        this.outbox.add(em, Subjects.Identity.UserCreatedV1, {
          user_id: user.id,
          kind: 'user',
          name: user.name,
          roles: [...user.roles],
          created_at: now.toISOString(),
        });
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
      const user = await this.lockUser(em, id);
      if (changes.name !== undefined) user.name = changes.name.trim();
      if (changes.roles !== undefined) {
        const roles = dedupe(changes.roles);
        const rolesChanged =
          roles.length !== user.roles.length || roles.some((r) => !user.roles.includes(r));
        if (rolesChanged) {
          if (user.roles.includes('admin') && !roles.includes('admin')) {
            await this.assertAnotherActiveAdmin(em, user.id);
          }
          user.roles = roles;
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
        user.updatedAt = new Date();
        this.membershipChanged(em, user);
        await em.flush();
      }
      return user;
    });
  }

  /** Lifts a sign-in lock and resets the failure counter. */
  async unlock(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      user.lockedAt = null;
      user.failedLoginAttempts = 0;
      user.updatedAt = new Date();
      await em.flush();
      return user;
    });
  }

  /** Deactivates a user: no more sign-ins, every refresh token revoked. Idempotent. */
  async deactivate(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      if (user.deactivatedAt) return user;
      if (user.roles.includes('admin')) await this.assertAnotherActiveAdmin(em, user.id);
      const now = new Date();
      user.deactivatedAt = now;
      user.updatedAt = now;
      await em.nativeUpdate(RefreshToken, { userId: user.id, revokedAt: null }, { revokedAt: now });
      await em.flush();
      return user;
    });
  }

  /** Lets a deactivated user sign in again (with a clean failure counter). Idempotent. */
  async reactivate(id: string): Promise<User> {
    return this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      if (!user.deactivatedAt) return user;
      user.deactivatedAt = null;
      user.lockedAt = null;
      user.failedLoginAttempts = 0;
      user.updatedAt = new Date();
      await em.flush();
      return user;
    });
  }

  /** Sets a new password (policy checked); revokes the user's refresh tokens. */
  async setPassword(id: string, password: string): Promise<void> {
    const existing = await this.get(id);
    if (existing.deactivatedAt) throw new UserDeactivatedError(id);
    const violations = passwordPolicyViolations(password, existing.email);
    if (violations.length > 0) throw new WeakPasswordError(violations);
    const passwordHash = await this.hasher.hash(password);
    await this.orm.em.fork().transactional(async (em) => {
      const user = await this.lockUser(em, id);
      const now = new Date();
      user.passwordHash = passwordHash;
      user.updatedAt = now;
      await em.nativeUpdate(RefreshToken, { userId: id, revokedAt: null }, { revokedAt: now });
      await em.flush();
    });
  }

  /** A user changes their own password, proving the current one. */
  async changeOwnPassword(id: string, current: string, next: string): Promise<void> {
    const user = await this.orm.em.fork().findOne(User, { id }, { populate: ['passwordHash'] });
    if (!user) throw new UserNotFoundError(id);
    if (!(await this.hasher.verify(user.passwordHash, current))) {
      throw new CurrentPasswordIncorrectError();
    }
    await this.setPassword(id, next);
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

  private async assertAnotherActiveAdmin(em: EntityManager, exceptId: string): Promise<void> {
    const others = await em.count(User, {
      id: { $ne: exceptId },
      roles: { $contains: ['admin'] },
      deactivatedAt: null,
    });
    if (others === 0) throw new LastAdminError();
  }

  private membershipChanged(em: EntityManager, user: User): void {
    this.outbox.add(em, Subjects.Identity.MembershipChangedV1, {
      user_id: user.id,
      hub_ids: [...user.hubIds],
      roles: [...user.roles],
    });
  }
}
