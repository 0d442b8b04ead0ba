import { type EntityManager } from '@mikro-orm/core';
import { type RoleName } from '@ihf/contracts';
import { pgArray, query, queryOne } from '../common/sql.js';

/** What feedback knows about a user (identity owns it): roles and hub memberships. */
export interface PrincipalFacts {
  readonly user_id: string;
  readonly roles: RoleName[];
  readonly hub_ids: string[];
}

/**
 * The `feedback.principals` read model, from identity's user.created and membership.changed.
 * Identity does not version users in its envelopes, so the event time orders the writes: an
 * older event that arrives late changes nothing.
 */
export class PrincipalReadModel {
  static async find(em: EntityManager, userId: string): Promise<PrincipalFacts | undefined> {
    return queryOne<PrincipalFacts>(
      em,
      `select user_id, roles, hub_ids::text[] as hub_ids from feedback.principals where user_id = ?`,
      [userId],
    );
  }

  /** user.created: roles as of `asOf` (memberships arrive with membership.changed). */
  static async applyCreated(
    em: EntityManager,
    userId: string,
    roles: readonly RoleName[],
    asOf: Date,
  ): Promise<void> {
    await query(
      em,
      `insert into feedback.principals as p (user_id, roles, as_of) values (?, ?::text[], ?)
       on conflict (user_id) do nothing`,
      [userId, pgArray(roles), asOf],
    );
  }

  /** membership.changed: the full roles and hubs as of `asOf`. */
  static async applyMembership(
    em: EntityManager,
    userId: string,
    roles: readonly RoleName[],
    hubIds: readonly string[],
    asOf: Date,
  ): Promise<void> {
    await query(
      em,
      `insert into feedback.principals as p (user_id, roles, hub_ids, as_of)
       values (?, ?::text[], ?::uuid[], ?)
       on conflict (user_id) do update set roles = excluded.roles, hub_ids = excluded.hub_ids,
         as_of = excluded.as_of, updated_at = now()
       where excluded.as_of >= p.as_of`,
      [userId, pgArray(roles), pgArray(hubIds.map((h) => h.toLowerCase())), asOf],
    );
  }
}
