import { type EntityManager } from '@mikro-orm/core';
import { type RoleName } from '@ihf/contracts';
import { pgArray, query, queryOne } from '@ihf/persistence';

/** What feedback knows about a user (identity owns it): roles, hub memberships, deactivation. */
export interface PrincipalFacts {
  readonly user_id: string;
  readonly roles: RoleName[];
  readonly hub_ids: string[];
  readonly deactivated: boolean;
}

/**
 * Where an identity event stands in the user's history: its `aggregate_version` (null for
 * events published before identity versioned them) and its `occurred_at`.
 */
export interface PrincipalEventOrder {
  readonly version: number | null;
  readonly occurredAt: Date;
}

/**
 * The `feedback.principals` read model, from identity's user events. Events can arrive in any
 * order, so each part is applied only when the event's `aggregate_version` is newer than the
 * one the part holds (roles and hubs by `membership_version`, deactivation by
 * `status_version`; identity bumps the version once per change, in its transaction, so two
 * events with one version come from one change and agree). Events without a version (published
 * before identity had them) fall back to `occurred_at`, and only on rows no versioned event
 * has touched.
 */
export class PrincipalReadModel {
  static async find(em: EntityManager, userId: string): Promise<PrincipalFacts | undefined> {
    return queryOne<PrincipalFacts>(
      em,
      `select user_id, roles, hub_ids::text[] as hub_ids, deactivated_at is not null as deactivated
       from feedback.principals where user_id = ?`,
      [userId],
    );
  }

  /**
   * user.created: the roles (memberships arrive with membership.changed). The first version of
   * a user, so it only fills a row that knows no roles and hubs yet (one that a status event
   * created).
   */
  static async applyCreated(
    em: EntityManager,
    userId: string,
    roles: readonly RoleName[],
    order: PrincipalEventOrder,
  ): Promise<void> {
    await query(
      em,
      `insert into feedback.principals as p (user_id, roles, as_of, membership_version)
       values (?, ?::text[], ?, ?)
       on conflict (user_id) do update set roles = excluded.roles, as_of = excluded.as_of,
         membership_version = excluded.membership_version, updated_at = now()
       where p.membership_version is null and p.as_of is null`,
      [userId, pgArray(roles), order.occurredAt, order.version],
    );
  }

  /** membership.changed: the full roles and hubs. */
  static async applyMembership(
    em: EntityManager,
    userId: string,
    roles: readonly RoleName[],
    hubIds: readonly string[],
    order: PrincipalEventOrder,
  ): Promise<void> {
    // A version applies over any unversioned state and over an equal one (the same change,
    // e.g. user.created and membership.changed of one creation).
    const newer =
      order.version === null
        ? 'p.membership_version is null and (p.as_of is null or excluded.as_of >= p.as_of)'
        : 'p.membership_version is null or excluded.membership_version >= p.membership_version';
    await query(
      em,
      `insert into feedback.principals as p (user_id, roles, hub_ids, as_of, membership_version)
       values (?, ?::text[], ?::uuid[], ?, ?)
       on conflict (user_id) do update set roles = excluded.roles, hub_ids = excluded.hub_ids,
         as_of = excluded.as_of, membership_version = excluded.membership_version,
         updated_at = now()
       where ${newer}`,
      [
        userId,
        pgArray(roles),
        pgArray(hubIds.map((h) => h.toLowerCase())),
        order.occurredAt,
        order.version,
      ],
    );
  }

  /**
   * user.deactivated (`deactivatedAt` set) and user.reactivated (null). A row created here
   * knows no roles until user.created or membership.changed arrive.
   */
  static async applyStatus(
    em: EntityManager,
    userId: string,
    deactivatedAt: Date | null,
    version: number,
  ): Promise<void> {
    await query(
      em,
      `insert into feedback.principals as p (user_id, deactivated_at, status_version)
       values (?, ?, ?)
       on conflict (user_id) do update set deactivated_at = excluded.deactivated_at,
         status_version = excluded.status_version, updated_at = now()
       where p.status_version is null or excluded.status_version > p.status_version`,
      [userId, deactivatedAt, version],
    );
  }
}
