// A stand-in for the ingestion service's browser-facing endpoints (events, annotations, "me too"), for the browser tests
// that run before (and without) the real services. It is as strict as the wire contract the SDK
// relies on: bearer key, JSON only, `{ events: [...] }`, the reporting contract's field names
// (unknown fields are rejected), ids deduplicated (`duplicate`), a 202 with one result per
// event, CORS for a page on another origin. Tests can make it answer 503/429 with Retry-After.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const EVENT_FIELDS = new Set([
  'id',
  'widget_id',
  'hub_id',
  'event_type',
  'occurred_at',
  'actor_id',
  'actor_type',
  'view_context_ref',
  'metadata',
  'widget_version',
]);
const ANNOTATION_FIELDS = new Set([
  'id',
  'widget_id',
  'hub_id',
  'body',
  'category',
  'severity',
  'parent_id',
  'actor_id',
  'actor_type',
  'widget_state_ref',
  'widget_version',
]);
const ME_TOO_FIELDS = new Set(['id', 'hub_id', 'candidate_id', 'reporter_id', 'widget_id']);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StoredEvent {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly event_type: string;
  readonly occurred_at: string;
  readonly view_context_ref?: string;
  readonly metadata?: Record<string, unknown>;
  readonly widget_version?: number;
}

export interface StoredAnnotation {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly body: string;
  readonly category: string;
  readonly severity: string;
  readonly widget_state_ref?: string;
}

export interface StoredMeToo {
  readonly id: string;
  readonly hub_id: string;
  readonly candidate_id: string;
  readonly reporter_id: string;
  readonly widget_id?: string;
}

export interface FakeIngestion {
  readonly url: string;
  /** Stored events, once each, in arrival order. */
  readonly events: StoredEvent[];
  readonly annotations: StoredAnnotation[];
  /** "Me too" posts, once per id. */
  readonly meToos: StoredMeToo[];
  /** How often each event id was received (2 = a duplicate the server absorbed). */
  readonly received: Map<string, number>;
  /** Requests answered, by path. */
  readonly requests: { path: string; status: number; events: number }[];
  /** The next `count` event requests fail with `status` (and Retry-After seconds). */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
  // Without this the page cannot read Retry-After on a cross-origin answer.
  'access-control-expose-headers': 'retry-after',
};

function send(res: ServerResponse, status: number, body?: unknown, headers = {}) {
  res.writeHead(status, {
    ...CORS,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeIngestion(apiKey: string, hubId: string): Promise<FakeIngestion> {
  const events: StoredEvent[] = [];
  const annotations: StoredAnnotation[] = [];
  const meToos: StoredMeToo[] = [];
  const received = new Map<string, number>();
  const requests: FakeIngestion['requests'] = [];
  let failures: { status: number; retryAfter?: number }[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'OPTIONS') return send(res, 204);
      const answer = (status: number, body?: unknown, headers = {}, count = 0) => {
        requests.push({ path, status, events: count });
        send(res, status, body, headers);
      };
      if (req.method !== 'POST') return answer(405, { title: 'Method Not Allowed' });
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        return answer(401, { title: 'Unauthorized' });
      }
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        return answer(415, { title: 'Unsupported Media Type' });
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return answer(400, { title: 'Malformed JSON' });
      }
      if (path === '/api/v1/interaction-events') {
        const batch = (body as { events?: unknown }).events;
        if (!Array.isArray(batch) || Object.keys(body as object).length !== 1) {
          return answer(400, { title: 'Expected { events: [...] }' });
        }
        const failure = failures.shift();
        if (failure) {
          const headers = failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {};
          return answer(failure.status, { title: 'try later' }, headers, batch.length);
        }
        const results = (batch as Record<string, unknown>[]).map((raw, index) => {
          const id = typeof raw.id === 'string' && UUID_RE.test(raw.id) ? raw.id : null;
          const unknown = Object.keys(raw).find((k) => !EVENT_FIELDS.has(k));
          const reason = !id
            ? 'invalid_id'
            : unknown
              ? 'unknown_field'
              : raw.hub_id !== hubId
                ? 'hub_mismatch'
                : ['widget_id', 'event_type', 'occurred_at'].find((f) => !raw[f])
                  ? 'missing_field'
                  : null;
          if (reason) return { index, id, status: 'rejected', reason };
          received.set(id!, (received.get(id!) ?? 0) + 1);
          if (received.get(id!)! > 1) return { index, id, status: 'duplicate' };
          events.push(raw as unknown as StoredEvent);
          return { index, id, status: 'accepted' };
        });
        const count = (s: string) => results.filter((r) => r.status === s).length;
        return answer(
          202,
          {
            accepted: count('accepted'),
            duplicate: count('duplicate'),
            rejected: count('rejected'),
            results,
          },
          {},
          batch.length,
        );
      }
      if (path === '/api/v1/annotations') {
        const raw = body as Record<string, unknown>;
        const unknown = Object.keys(raw).find((k) => !ANNOTATION_FIELDS.has(k));
        if (unknown || typeof raw.id !== 'string' || raw.hub_id !== hubId || !raw.body) {
          return answer(422, { title: 'Invalid annotation', detail: unknown ?? 'invalid' });
        }
        if (!annotations.some((a) => a.id === raw.id)) {
          annotations.push(raw as unknown as StoredAnnotation);
        }
        return answer(202, { id: raw.id, status: 'accepted' });
      }
      if (path === '/api/v1/me-too') {
        const raw = body as Record<string, unknown>;
        const unknown = Object.keys(raw).find((k) => !ME_TOO_FIELDS.has(k));
        const bad = ['id', 'candidate_id', 'reporter_id'].find(
          (k) => typeof raw[k] !== 'string' || !UUID_RE.test(raw[k]),
        );
        if (unknown || bad || raw.hub_id !== hubId) {
          return answer(422, { title: 'Invalid me too', detail: unknown ?? bad ?? 'hub_mismatch' });
        }
        const duplicate = meToos.some((m) => m.id === raw.id);
        if (!duplicate) meToos.push(raw as unknown as StoredMeToo);
        return answer(202, { id: raw.id, status: duplicate ? 'duplicate' : 'accepted' });
      }
      return answer(404, { title: 'Not Found' });
    })().catch(() => send(res, 500, { title: 'fake ingestion failed' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    annotations,
    meToos,
    received,
    requests,
    failNext(count, status, retryAfterSeconds) {
      failures = Array.from({ length: count }, () => ({
        status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfter: retryAfterSeconds }),
      }));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
