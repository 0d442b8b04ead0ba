import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * A hub API key (`ingestion.hub_api_keys`): the SHA-256 of `ihf_<prefix>_<secret>` and its
 * prefix in clear. Several may be active per hub, so a key can be rotated without downtime.
 */
export const HubApiKey = defineEntity({
  name: 'HubApiKey',
  tableName: 'hub_api_keys',
  properties: {
    id: p.uuid().primary(),
    hubId: p.uuid().fieldName('hub_id'),
    prefix: p.string(),
    keyHash: p.string().fieldName('key_hash').lazy(),
    label: p.string().nullable(),
    createdBy: p.uuid().nullable().fieldName('created_by'),
    createdAt: p.datetime().fieldName('created_at'),
    lastUsedAt: p.datetime().nullable().fieldName('last_used_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

export type HubApiKey = InferEntity<typeof HubApiKey>;
