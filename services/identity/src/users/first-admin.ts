import { type MikroORM } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { normaliseEmail } from './email.js';
import { User } from './user.entity.js';
import { EmailTakenError } from './users.errors.js';
import { type UsersService } from './users.service.js';

/** What {@link ensureFirstAdmin} did. */
export type FirstAdminOutcome = 'created' | 'admin-exists' | 'email-taken';

/**
 * Creates an admin unless an active one exists. Several replicas may start at once: the check
 * and the insert run under a transaction-scoped advisory lock, so only one of them creates it.
 */
export async function ensureFirstAdmin(
  orm: MikroORM,
  users: UsersService,
  admin: { email: string; password: string; name: string },
  options: { force?: boolean } = {},
): Promise<FirstAdminOutcome> {
  // Held until this transaction ends; the admin is created (and committed) inside it.
  const em = orm.em.fork() as unknown as SqlEntityManager;
  return em.transactional(async (tx) => {
    await tx.execute(
      `select pg_advisory_xact_lock(hashtextextended('ihf:identity:first-admin', 0))`,
    );
    if (!options.force && (await users.countActiveAdmins()) > 0) return 'admin-exists';
    const existing = await orm.em.fork().findOne(User, { email: normaliseEmail(admin.email) });
    if (existing) return 'email-taken';
    try {
      await users.create({ ...admin, roles: ['admin'] });
    } catch (err) {
      if (err instanceof EmailTakenError) return 'email-taken';
      throw err;
    }
    return 'created';
  });
}
