import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type RoleName } from '@ihf/contracts';

/**
 * A person who signs in with e-mail and password (`identity.users`, the seed's users table
 * plus roles, hub memberships and deactivation). Agents are {@link AgentClient}s, not users.
 */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    /** Normalised (trimmed, lower-case); unique. */
    email: p.string(),
    /** argon2id PHC string; never logged, never returned. */
    passwordHash: p.text().fieldName('password_hash').lazy(),
    name: p.string(),
    roles: p.array<RoleName>(),
    /** Hubs the user may act in; carried in the access token's `hubs` claim. */
    hubIds: p.array().fieldName('hub_ids').columnType('uuid[]'),
    lockedAt: p.datetime().nullable().fieldName('locked_at'),
    failedLoginAttempts: p.integer().fieldName('failed_login_attempts'),
    deactivatedAt: p.datetime().nullable().fieldName('deactivated_at'),
    lastLoginAt: p.datetime().nullable().fieldName('last_login_at'),
    /** `aggregate_version` of the user's events: bumped once per change that emits events. */
    version: p.integer().default(1),
    /** Refresh tokens created before this instant are refused (password change, sign-out all). */
    sessionsValidAfter: p.datetime().nullable().fieldName('sessions_valid_after'),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type User = InferEntity<typeof User>;
