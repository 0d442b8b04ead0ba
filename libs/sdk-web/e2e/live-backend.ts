// The running services as the scenarios' backend: sets up a hub, the demo's widgets and a hub
// API key through the ingestion registry (admin JWT from identity), and reads back what was
// stored — through the services' query APIs (ingestion's events, feedback's annotations), or
// straight from Postgres (IHF_E2E_VIA=db). Every URL and path is configurable; see
// e2e/README.md.
import { randomUUID } from 'node:crypto';
import { DEMO_WIDGETS, type DemoConfig, type DemoWidget } from '../demo/config.ts';
import type { Backend, BackendAnnotation, BackendEvent } from './scenarios.ts';

export interface LiveSettings {
  readonly identityUrl: string;
  readonly ingestionUrl: string;
  readonly feedbackUrl: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** `http` (the query APIs) or `db` (DATABASE_URL). */
  readonly via: 'http' | 'db';
  readonly eventsPath: string;
  readonly annotationsPath: string;
  readonly databaseUrl: string;
}

/** Ingestion's events of a hub (JWT; the last 24 h by default; cursor pages). */
export const DEFAULT_EVENTS_PATH = '/api/v1/hubs/{hub_id}/events?limit=1000';
/** Feedback's annotations of a hub (JWT of a member of the hub, or an admin; cursor pages). */
export const DEFAULT_ANNOTATIONS_PATH = '/api/v1/annotations?hub_id={hub_id}&limit=200';

export function liveSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LiveSettings {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (see libs/sdk-web/e2e/README.md)`);
    return value;
  };
  return {
    identityUrl: env.IHF_IDENTITY_URL ?? 'http://127.0.0.1:3000',
    ingestionUrl: env.IHF_INGESTION_URL ?? 'http://127.0.0.1:3001',
    feedbackUrl: env.IHF_FEEDBACK_URL ?? 'http://127.0.0.1:3002',
    adminEmail: need('IHF_ADMIN_EMAIL'),
    adminPassword: need('IHF_ADMIN_PASSWORD'),
    via: env.IHF_E2E_VIA === 'db' ? 'db' : 'http',
    eventsPath: env.IHF_EVENTS_QUERY_PATH ?? DEFAULT_EVENTS_PATH,
    annotationsPath: env.IHF_ANNOTATIONS_QUERY_PATH ?? DEFAULT_ANNOTATIONS_PATH,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ihf',
  };
}

export async function call<T>(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The seeded adapter specs (ingestion migration "seed contracts v1"). */
export const ADAPTER_SPEC: Record<string, string> = {
  'react-18': '00000000-0000-4000-a000-00000000a001',
  'vue-3': '00000000-0000-4000-a000-00000000a002',
  'web-component': '00000000-0000-4000-a000-00000000a003',
};
export const DEMO_WIDGET_DEFS: Record<DemoWidget, { view: string; adapter: string }> = {
  wcCart: { view: 'demo/cart', adapter: 'web-component' },
  wcNewsletter: { view: 'demo/newsletter', adapter: 'web-component' },
  wcFooter: { view: 'demo/footer', adapter: 'web-component' },
  shadowSearch: { view: 'demo/search', adapter: 'web-component' },
  reactProduct: { view: 'demo/product', adapter: 'react-18' },
  reactCheckout: { view: 'demo/checkout', adapter: 'react-18' },
  vueProfile: { view: 'demo/profile', adapter: 'vue-3' },
};

/** Signs in, creates a hub with the demo's widgets and an API key; returns the demo config. */
export async function setUpHub(s: LiveSettings): Promise<{ config: DemoConfig; token: string }> {
  const { access_token: token } = await call<{ access_token: string }>(
    `${s.identityUrl}/api/v1/auth/login`,
    { method: 'POST', body: JSON.stringify({ email: s.adminEmail, password: s.adminPassword }) },
  );
  const stamp = Date.now().toString(36);
  const hub = await call<{ id: string }>(`${s.ingestionUrl}/api/v1/hubs`, {
    method: 'POST',
    token,
    body: JSON.stringify({
      slug: `sdk-e2e-${stamp}`,
      name: `SDK e2e ${stamp}`,
      domain: '127.0.0.1',
    }),
  });
  const widgets = {} as Record<DemoWidget, string>;
  for (const name of DEMO_WIDGETS) {
    const def = DEMO_WIDGET_DEFS[name];
    const created = await call<{ id: string }>(`${s.ingestionUrl}/api/v1/hubs/${hub.id}/widgets`, {
      method: 'POST',
      token,
      body: JSON.stringify({
        name,
        widget_type: def.adapter,
        view_context: def.view,
        adapter_spec_id: ADAPTER_SPEC[def.adapter],
      }),
    });
    widgets[name] = created.id;
  }
  const key = await call<{ key: string }>(`${s.ingestionUrl}/api/v1/hubs/${hub.id}/api-keys`, {
    method: 'POST',
    token,
    body: JSON.stringify({ label: 'sdk-web e2e' }),
  });
  // A known issue of the cart for "me too" (issue 16): a note escalated into a candidate.
  const title = 'The cart total does not update';
  const note = await call<{ id: string }>(`${s.feedbackUrl}/api/v1/annotations`, {
    method: 'POST',
    token,
    body: JSON.stringify({ widget_id: widgets.wcCart, body: title }),
  });
  const candidate = await call<{ id: string }>(`${s.feedbackUrl}/api/v1/candidates`, {
    method: 'POST',
    token,
    body: JSON.stringify({
      title,
      description: 'Known issue of the SDK e2e run',
      source_annotation_id: note.id,
    }),
  });
  return {
    token,
    config: {
      endpoint: s.ingestionUrl,
      apiKey: key.key,
      hubId: hub.id,
      widgets,
      viewDuration: 400,
      reporterId: randomUUID(),
      knownIssue: { candidateId: candidate.id, title, widget: 'wcCart' },
    },
  };
}

/** Reads every page of a cursor-paginated list (`items`, `next_cursor`). */
async function allPages<T>(url: string, token: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null | undefined;
  do {
    const page = await call<{ items: T[]; next_cursor?: string | null }>(
      next ? `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(next)}` : url,
      { token },
    );
    out.push(...page.items);
    next = page.next_cursor;
  } while (next);
  return out;
}

export async function liveBackend(
  s: LiveSettings,
  config: DemoConfig,
  token: string,
): Promise<Backend & { close(): Promise<void> }> {
  const fill = (path: string) => path.replaceAll('{hub_id}', config.hubId);
  if (s.via === 'http') {
    return {
      events: () => allPages<BackendEvent>(`${s.ingestionUrl}${fill(s.eventsPath)}`, token),
      annotations: () =>
        allPages<BackendAnnotation>(`${s.feedbackUrl}${fill(s.annotationsPath)}`, token),
      // The reporters who voted ("me too"), as feedback lists the candidate's followers.
      meToos: async () => {
        const id = config.knownIssue?.candidateId;
        if (!id) return [];
        const followers = await call<{
          items: { subscriber_kind: string; subscriber_id: string; origin: string }[];
        }>(`${s.feedbackUrl}/api/v1/candidates/${id}/subscribers`, { token });
        return followers.items
          .filter((f) => f.subscriber_kind === 'reporter' && f.origin === 'vote')
          .map((f) => ({ candidate_id: id, reporter_id: f.subscriber_id }));
      },
      close: () => Promise.resolve(),
    };
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
  return {
    events: async () =>
      (
        await pool.query<BackendEvent>(
          `select id, widget_id, hub_id, event_type, view_context_ref, widget_version
             from "ingestion".interaction_events where hub_id = $1`,
          [config.hubId],
        )
      ).rows,
    annotations: async () =>
      (
        await pool.query<BackendAnnotation>(
          `select id, widget_id, widget_version, body, category, severity
             from "feedback".annotations where hub_id = $1`,
          [config.hubId],
        )
      ).rows,
    meToos: async () =>
      (
        await pool.query<{ candidate_id: string; reporter_id: string }>(
          `select candidate_id, voter_id as reporter_id from "feedback".candidate_votes
            where hub_id = $1 and voter_kind = 'reporter'`,
          [config.hubId],
        )
      ).rows,
    close: () => pool.end(),
  };
}
