import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * One refresh token, stored as the SHA-256 of its value. Each use rotates it: the used token
 * gets `usedAt` and a successor in the same family; presenting a used token again revokes the
 * whole family (reuse detection).
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary(),
    familyId: p.uuid().fieldName('family_id'),
    userId: p.uuid().fieldName('user_id'),
    tokenHash: p.string().fieldName('token_hash'),
    createdAt: p.datetime().fieldName('created_at'),
    expiresAt: p.datetime().fieldName('expires_at'),
    usedAt: p.datetime().nullable().fieldName('used_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

export type RefreshToken = InferEntity<typeof RefreshToken>;
