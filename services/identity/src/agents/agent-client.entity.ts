import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type MachineRole } from '@ihf/contracts';

/**
 * An agent client: a non-human principal that obtains tokens with the client credentials
 * grant, holding one role: `agent`, or `deployer` for a pipeline's deployment hook. Its secret is an `ihf_<prefix>_<secret>` key stored as SHA-256.
 */
export const AgentClient = defineEntity({
  name: 'AgentClient',
  tableName: 'agent_clients',
  properties: {
    id: p.uuid().primary(),
    name: p.string(),
    secretPrefix: p.string().fieldName('secret_prefix'),
    secretHash: p.string().fieldName('secret_hash'),
    role: p.string().$type<MachineRole>(),
    hubIds: p.array().fieldName('hub_ids').columnType('uuid[]'),
    createdBy: p.uuid().nullable().fieldName('created_by'),
    createdAt: p.datetime().fieldName('created_at'),
    lastUsedAt: p.datetime().nullable().fieldName('last_used_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

export type AgentClient = InferEntity<typeof AgentClient>;
