import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A bounded domain of responsibility (`ingestion.hubs`); widgets and API keys belong to one. */
export const Hub = defineEntity({
  name: 'Hub',
  tableName: 'hubs',
  properties: {
    id: p.uuid().primary(),
    slug: p.string(),
    name: p.string(),
    domain: p.string(),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type Hub = InferEntity<typeof Hub>;
