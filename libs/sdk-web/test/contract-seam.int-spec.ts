// Issue 11, "data loss at a contract seam": ingestion accepted annotation categories feedback
// does not know, answered 202, and the annotation never reached the people triaging. Here the
// real services run as child processes on this file's database and bus namespace: an
// annotation of each category ingestion accepts must be stored by feedback, and what feedback
// would refuse (unknown categories, blank bodies) is refused by ingestion at the door.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { ANNOTATION_CATEGORIES } from '@ihf/contracts';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@ihf/testing';
import { liveSettingsFromEnv, setUpHub } from '../e2e/live-backend.ts';
import {
  STACK_SERVICES,
  serviceEntry,
  startServiceStack,
  type ServiceStack,
} from '../e2e/service-stack.ts';

const ROOT = join(__dirname, '../../..');

let env: TestEnvironment | undefined;
let stack: ServiceStack | undefined;
let hubId: string;
let widgetId: string;
let apiKey: string;

beforeAll(async () => {
  for (const name of STACK_SERVICES) serviceEntry(ROOT, name);
  env = await createTestEnvironment();
  const adminEmail = 'admin@contract-seam.test';
  const adminPassword = `seam-${randomBytes(9).toString('base64url')}`;
  stack = await startServiceStack({
    root: ROOT,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail,
    adminPassword,
    readyTimeoutMs: 120_000,
  });
  const { config } = await setUpHub({
    ...liveSettingsFromEnv({ IHF_ADMIN_EMAIL: adminEmail, IHF_ADMIN_PASSWORD: adminPassword }),
    identityUrl: stack.identityUrl,
    ingestionUrl: stack.ingestionUrl,
    feedbackUrl: stack.feedbackUrl,
  });
  hubId = config.hubId;
  widgetId = config.widgets.reactCheckout;
  apiKey = config.apiKey;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
}, 60_000);

/** What ingestion answers: an annotation answer (202) or a problem. */
interface Answer {
  readonly status: number;
  readonly body: { status?: string; code?: string; errors?: { field: string }[] };
}

async function submit(body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${stack!.ingestionUrl}/api/v1/annotations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ hub_id: hubId, widget_id: widgetId, ...body }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function storedCategories(ids: string[]): Promise<Record<string, string>> {
  const client = new Client({ connectionString: env!.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; category: string }>(
      'select id, category from feedback.annotations where id = any($1::uuid[])',
      [ids],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.category]));
  } finally {
    await client.end();
  }
}

it('stores in feedback every annotation ingestion accepts, whatever its category', async () => {
  // The contracts' categories, and values a client may try (the ones ingestion once took).
  const tried = [...ANNOTATION_CATEGORIES, 'accessibility', 'other', 'usability'];
  const accepted: Record<string, string> = {};
  for (const category of tried) {
    const id = randomUUID();
    const answer = await submit({ id, body: `a ${category} annotation`, category });
    if (answer.status === 202) accepted[id] = category;
    else expect({ category, status: answer.status }).toEqual({ category, status: 400 });
  }
  expect(Object.values(accepted).sort()).toEqual([...ANNOTATION_CATEGORIES].sort());
  // What was accepted with 202 must reach the people triaging.
  const stored = await waitFor(
    async () => {
      const found = await storedCategories(Object.keys(accepted));
      return Object.keys(found).length === Object.keys(accepted).length ? found : undefined;
    },
    { timeoutMs: 45_000, message: 'every accepted annotation stored by feedback' },
  );
  expect(stored).toEqual(accepted);
}, 120_000);

it.each([
  ['category', { category: 'accessibility' }],
  ['category', { category: 'other' }],
  ['body', { body: '   ' }],
])(
  'refuses at the door what feedback would refuse (%s %j), naming the field',
  async (field, change) => {
    const id = randomUUID();
    const answer = await submit({ id, body: 'looks fine', ...change });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED' });
    expect(answer.body.errors).toEqual([expect.objectContaining({ field })]);
    expect(await storedCategories([id])).toEqual({});
  },
  60_000,
);
