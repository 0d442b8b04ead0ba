// An accepted duplicate flag reaches the real feedback service: feedback runs as a child
// process (its built dist/main.js, on this file's database and bus namespace). Its
// candidate.created events feed the built-in duplicates agent here, a reviewer accepts the
// flag, and feedback's consumer of proposal.accepted.v1 marks the candidate a duplicate. A
// rejected flag changes nothing there. Services never import each other, so this is the way
// to run both; `npm run build` first (CI builds before testing).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startBuiltService, waitFor, type BuiltService } from '@ihf/testing';
import { AgentsTestApp, agentClient, person, type TestPrincipal } from './agents-test-app.js';

const FEEDBACK_MAIN = join(__dirname, '../../feedback/dist/main.js');
const HUB = randomUUID();

describe('agent-proposals → feedback: an accepted duplicate flag marks the real candidate', () => {
  let t: AgentsTestApp;
  let feedback: BuiltService | undefined;
  let feedbackUrl = '';

  beforeAll(async () => {
    t = await AgentsTestApp.start();
    feedback = await startBuiltService({
      main: FEEDBACK_MAIN,
      env: {
        DATABASE_URL: t.env.databaseUrl,
        NATS_URL: t.env.natsUrl,
        IHF_NATS_NAMESPACE: t.env.natsNamespace,
        IHF_JWKS_URL: t.issuer.jwksUrl,
      },
    });
    feedbackUrl = feedback.url;
  }, 120_000);

  afterAll(async () => {
    await feedback?.stop();
    await t?.close();
  });

  async function call<T>(method: string, path: string, by: TestPrincipal, body?: object) {
    const res = await fetch(`${feedbackUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${t.token(by)}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  const member = person(['viewer'], [HUB]);
  const triager = person(['triager'], [HUB]);
  const reviewer = person(['reviewer'], [HUB]);

  async function candidate(annotation: string, title: string, description: string) {
    const res = await call<{ id: string }>('POST', '/api/v1/candidates', triager, {
      title,
      description,
      source_annotation_id: annotation,
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const statusOf = async (id: string) =>
    (
      await call<{ status: string; duplicate_of_id: string | null }>(
        'GET',
        `/api/v1/candidates/${id}`,
        member,
      )
    ).body;

  it('applies an accepted flag and ignores a rejected one', async () => {
    const widgetId = randomUUID();
    await t.publish(
      'ihf.ingestion.widget.registered.v1',
      {
        widget_id: widgetId,
        hub_id: HUB,
        name: 'Checkout button',
        widget_type: 'button',
        capability_ref: null,
        view_context: 'checkout',
        policy_scope: 'internal',
        status: 'active',
        adapter_spec_id: null,
        version: 1,
        created_at: new Date().toISOString(),
      },
      { hubId: HUB, aggregateId: widgetId, aggregateVersion: 1 },
    );
    const annotation = await waitFor(
      async () => {
        const res = await call<{ id: string }>('POST', '/api/v1/annotations', member, {
          widget_id: widgetId,
          body: 'the checkout button is hidden',
        });
        return res.status === 201 ? res.body.id : undefined;
      },
      { timeoutMs: 30_000, message: "feedback's widget read model" },
    );
    const original = await candidate(
      annotation,
      'The checkout button is hidden',
      'Users cannot find the checkout button on the cart page',
    );
    const duplicate = await candidate(
      annotation,
      'Checkout button is hidden',
      'Users cannot find the checkout button on the cart page on mobile',
    );
    // The built-in agent hears of both through feedback's real events and flags the second.
    // Through feedback's outbox relay and this service's consumer: generous on a loaded machine.
    const flag = await t.waitForProposal(HUB, 'duplicate_flag', () => true, 90_000);
    expect(flag.details).toEqual({ candidate_id: duplicate, duplicate_of_id: original });

    // A rejected flag (an external agent's, on two other candidates) changes nothing.
    const third = await candidate(annotation, 'Export as PDF', 'Finance wants a printable report');
    const bot = agentClient([HUB]);
    const wrong = await t.request<{ id: string }>('POST', '/api/v1/proposals', {
      as: bot,
      body: {
        hub_id: HUB,
        kind: 'duplicate_flag',
        model_ref: 'acme/dup@1',
        confidence: 0.3,
        content: 'Maybe the same?',
        source_candidate_id: third,
        details: { duplicate_of_id: original },
      },
    });
    expect(wrong.status).toBe(201);
    const rejected = await t.request('POST', `/api/v1/proposals/${wrong.body.id}/review`, {
      as: reviewer,
      body: { decision: 'rejected' },
    });
    expect(rejected.status).toBe(201);

    const accepted = await t.request('POST', `/api/v1/proposals/${String(flag.id)}/review`, {
      as: reviewer,
      body: { decision: 'accepted', notes: 'same report' },
    });
    expect(accepted.status).toBe(201);
    const marked = await waitFor(
      async () => {
        const c = await statusOf(duplicate);
        return c.status === 'duplicate' ? c : undefined;
      },
      { timeoutMs: 30_000, message: 'the candidate marked duplicate in feedback' },
    );
    expect(marked.duplicate_of_id).toBe(original);
    // The rejection was reviewed before the acceptance and published no accepted event.
    expect((await statusOf(third)).status).toBe('open');
    expect((await statusOf(original)).status).toBe('open');
    expect(
      await t.agentEvents(
        'ihf.agents.proposal.accepted.v1',
        (e) => e.payload.proposal_id === wrong.body.id,
      ),
    ).toEqual([]);
  }, 240_000);
});
