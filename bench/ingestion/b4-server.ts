/**
 * B4: the obvious implementation of the reporting endpoint. Fastify, the hub API key checked
 * against the stored SHA-256 (keys loaded once at start), the widget looked up through the
 * ORM, and one MikroORM insert in its own transaction per request (`em.transactional`), into
 * `bench.events_b4` (a copy of `ingestion.interaction_events` with the same indexes and
 * foreign keys). One event per request. Env: DATABASE_URL, PORT.
 */
import Fastify from 'fastify';
import { defineEntity, p } from '@mikro-orm/core';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { parseApiKey, verifyApiKeyHash } from '@ihf/auth';

const BenchEvent = defineEntity({
  name: 'BenchEvent',
  tableName: 'events_b4',
  schema: 'bench',
  properties: {
    id: p.uuid().primary(),
    hubId: p.uuid().fieldName('hub_id'),
    widgetId: p.uuid().fieldName('widget_id'),
    widgetVersion: p.integer().fieldName('widget_version'),
    eventType: p.string().fieldName('event_type'),
    actorId: p.uuid().nullable().fieldName('actor_id'),
    actorType: p.string().fieldName('actor_type'),
    viewContextRef: p.string().nullable().fieldName('view_context_ref'),
    metadata: p.json<Record<string, unknown>>(),
    occurredAt: p.datetime().fieldName('occurred_at'),
  },
});

const Widget = defineEntity({
  name: 'BenchWidget',
  tableName: 'widgets',
  schema: 'ingestion',
  properties: {
    id: p.uuid().primary(),
    hubId: p.uuid().fieldName('hub_id'),
    status: p.string(),
    version: p.integer(),
  },
});

const TYPES = new Set([
  'viewed',
  'clicked',
  'hovered',
  'focused',
  'blurred',
  'changed',
  'submitted',
  'scrolled',
  'dismissed',
  'expanded',
  'copied',
  'errored',
]);

const orm = await MikroORM.init({
  clientUrl: process.env.DATABASE_URL,
  entities: [BenchEvent, Widget],
  pool: { min: 2, max: 10 },
});
const keys = new Map<string, { hubId: string; hash: string }>();
for (const k of await orm.em
  .getConnection()
  .execute<{ prefix: string; hub_id: string; key_hash: string }[]>(
    'select prefix, hub_id, key_hash from ingestion.hub_api_keys where revoked_at is null',
  )) {
  keys.set(k.prefix, { hubId: k.hub_id, hash: k.key_hash });
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
type Body = Record<string, unknown>;

app.post('/api/v1/interaction-events', async (request, reply) => {
  const presented = parseApiKey((request.headers.authorization ?? '').replace(/^Bearer /, ''));
  const key = presented ? keys.get(presented.prefix) : undefined;
  if (!presented || !key || !verifyApiKeyHash(presented.key, key.hash)) {
    return reply.code(401).send({ code: 'AUTH.INVALID_API_KEY' });
  }
  const e = request.body as Body;
  const refuse = (reason: string) =>
    reply.code(202).send({ results: [{ index: 0, id: e.id, status: 'rejected', reason }] });
  if (e.hub_id !== key.hubId) return refuse('hub_mismatch');
  if (typeof e.event_type !== 'string' || !TYPES.has(e.event_type))
    return refuse('event_type_not_accepted');
  const em = orm.em.fork();
  const widget = await em.findOne(Widget, { id: e.widget_id as string });
  if (!widget) return refuse('unknown_widget');
  if (widget.hubId !== key.hubId) return refuse('widget_not_in_hub');
  try {
    await em.transactional((tx) => {
      tx.create(BenchEvent, {
        id: e.id as string,
        hubId: key.hubId,
        widgetId: widget.id,
        widgetVersion: widget.version,
        eventType: e.event_type as string,
        actorId: (e.actor_id as string | undefined) ?? null,
        actorType: (e.actor_type as string | undefined) ?? 'user',
        viewContextRef: (e.view_context_ref as string | undefined) ?? null,
        metadata: (e.metadata as Record<string, unknown> | undefined) ?? {},
        occurredAt: new Date(e.occurred_at as string),
      });
      return Promise.resolve();
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      return reply.code(202).send({ results: [{ index: 0, id: e.id, status: 'duplicate' }] });
    throw error;
  }
  return reply
    .code(202)
    .send({ accepted: 1, results: [{ index: 0, id: e.id, status: 'accepted' }] });
});

app.get('/health/ready', () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
const stop = () => {
  void app
    .close()
    .then(() => orm.close())
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
