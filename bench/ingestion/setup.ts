/**
 * Setup of an ingestion benchmark run: the reporting contract that accepts the corpus' event
 * types (through the API), the hubs and their API keys (through the API) and the widgets
 * (straight into the schema, for speed).
 */
import type pg from 'pg';
import { inParallel } from '../lib/util.ts';
import { EVENT_TYPES, Random, type BenchHub } from './corpus.ts';

export interface Admin {
  readonly base: string;
  readonly token: string;
}

async function api<T>(admin: Admin, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${admin.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface ContractView {
  id: string;
  contract_version: string;
  endpoint_path: string;
  accepted_event_types: string[];
  required_fields: string[];
  validation_rules: Record<string, unknown>[];
  status: string;
}

/** Makes sure the active reporting contract accepts the corpus' 12 event types (via the API). */
export async function ensureContract(admin: Admin, log: (line: string) => void): Promise<string> {
  const list = await api<{ items: ContractView[] }>(
    admin,
    'GET',
    '/api/v1/reporting-contracts?status=active',
  );
  const active = list.items[0];
  if (!active) throw new Error('no active reporting contract');
  const missing = EVENT_TYPES.filter((t) => !active.accepted_event_types.includes(t));
  if (missing.length === 0) return active.contract_version;
  const created = await api<ContractView>(admin, 'POST', '/api/v1/reporting-contracts', {
    contract_version: '1.1',
    endpoint_path: active.endpoint_path,
    accepted_event_types: [...active.accepted_event_types, ...missing],
    required_fields: active.required_fields,
    validation_rules: active.validation_rules,
    description: `bench: v${active.contract_version} plus ${missing.join(', ')}`,
  });
  await api(admin, 'POST', `/api/v1/reporting-contracts/${created.id}/status`, {
    status: 'active',
  });
  log(`reporting contract 1.1 activated (adds ${missing.join(', ')})`);
  return '1.1';
}

/** Hubs and their keys through the API; widgets straight into the schema (50 per hub). */
export async function register(
  admin: Admin,
  db: pg.Client,
  size: { seed: string; hubs: number; widgets: number },
): Promise<BenchHub[]> {
  const rnd = new Random(`${size.seed}:registry`);
  const hubs = await inParallel(
    Array.from({ length: size.hubs }, (_, i) => i),
    8,
    async (i) => {
      const hub = await api<{ id: string }>(admin, 'POST', '/api/v1/hubs', {
        slug: `bench-${i}`,
        name: `Bench hub ${i}`,
        domain: `hub${i}.example.com`,
      });
      const key = await api<{ key: string }>(admin, 'POST', `/api/v1/hubs/${hub.id}/api-keys`, {
        label: 'bench',
      });
      return { id: hub.id, key: key.key, widgets: [] as string[] };
    },
  );
  const ids: string[] = [];
  const hubIds: string[] = [];
  for (let w = 0; w < size.widgets; w++) {
    const id = rnd.uuid();
    const hub = hubs[w % size.hubs];
    hub.widgets.push(id);
    ids.push(id);
    hubIds.push(hub.id);
  }
  await db.query(
    `insert into ingestion.widgets (id, hub_id, name, widget_type, view_context)
     select id, hub_id, 'Widget ' || ord, (array['button','form','link','tab','card'])[1 + ord % 5], 'view/' || (ord % 20)
       from unnest($1::uuid[], $2::uuid[]) with ordinality as w(id, hub_id, ord)`,
    [ids, hubIds],
  );
  await db.query(
    `insert into ingestion.widget_versions (widget_id, version, schema_snapshot)
     select id, 1, jsonb_build_object('name', name, 'widget_type', widget_type) from ingestion.widgets`,
  );
  return hubs;
}
