// Governance's promotion reaches the real feedback service: feedback runs as a child process
// (its built dist/main.js, on this file's database and bus namespace), its candidate events
// feed governance's read model, and its consumer of requirement.promoted.v1 moves the
// candidate to `promoted` with the requirement id. Services never import each other, so this
// is the way to run both; `npm run build` first (CI builds before testing).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startBuiltService, waitFor, type BuiltService } from '@ihf/testing';
import { GovernanceTestApp, user } from './governance-test-app.js';

const FEEDBACK_MAIN = join(__dirname, '../../feedback/dist/main.js');
const HUB = randomUUID();

describe('governance → feedback: a promotion moves the real candidate to promoted', () => {
  let t: GovernanceTestApp;
  let feedback: BuiltService | undefined;
  let feedbackUrl = '';

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
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

  async function call<T>(method: string, path: string, by: ReturnType<typeof user>, body?: object) {
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

  it('publishes requirement.promoted.v1 that feedback applies', async () => {
    const member = user(['viewer'], [HUB]);
    const triager = user(['triager'], [HUB]);
    const governor = user(['governor'], [HUB]);
    // Both services learn the widget from ingestion's event.
    const widgetId = await t.registerWidget(HUB);
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
    const candidate = await call<{ id: string }>('POST', '/api/v1/candidates', triager, {
      title: 'Make the checkout button visible',
      description: 'Users cannot find it',
      source_annotation_id: annotation,
    });
    expect(candidate.status).toBe(201);
    const candidateId = candidate.body.id;
    for (const to of ['in_review', 'accepted']) {
      const moved = await call('POST', `/api/v1/candidates/${candidateId}/transitions`, triager, {
        to,
      });
      expect(moved.status).toBe(200);
    }
    // Governance hears of the acceptance through feedback's events (its read model).
    await waitFor(
      async () =>
        (
          await t.sql(`select 1 from governance.candidates where id = $1 and status = 'accepted'`, [
            candidateId,
          ])
        ).length > 0 || undefined,
      { timeoutMs: 30_000, message: 'the accepted candidate in governance' },
    );
    // A second candidate is promoted before governance has its events (the row is removed
    // from the read model): governance asks feedback, which answers over NATS.
    const second = await call<{ id: string }>('POST', '/api/v1/candidates', triager, {
      title: 'Show the total',
      description: 'Users miss the total',
      source_annotation_id: annotation,
    });
    for (const to of ['in_review', 'accepted']) {
      await call('POST', `/api/v1/candidates/${second.body.id}/transitions`, triager, { to });
    }
    await waitFor(
      async () =>
        (
          await t.sql(`select 1 from governance.candidates where id = $1 and version = 3`, [
            second.body.id,
          ])
        ).length > 0 || undefined,
      { timeoutMs: 30_000, message: 'the second candidate in governance' },
    );
    await t.sql('delete from governance.candidates where id = $1', [second.body.id]);
    const lookedUp = await t.request<{ title: string; description: string }>(
      'POST',
      '/api/v1/requirements',
      { user: governor, body: { candidate_id: second.body.id } },
    );
    expect(lookedUp).toMatchObject({
      status: 201,
      body: { title: 'Show the total', description: 'Users miss the total' },
    });

    const promoted = await t.request<{ id: string; description: string }>(
      'POST',
      '/api/v1/requirements',
      { user: governor, body: { candidate_id: candidateId } },
    );
    expect(promoted.status).toBe(201);
    expect(promoted.body.description).toBe('Users cannot find it');
    const seen = await waitFor(
      async () => {
        const res = await call<{ status: string; requirement_id: string | null }>(
          'GET',
          `/api/v1/candidates/${candidateId}`,
          member,
        );
        return res.body.status === 'promoted' ? res.body : undefined;
      },
      { timeoutMs: 30_000, message: 'the candidate promoted in feedback' },
    );
    expect(seen.requirement_id).toBe(promoted.body.id);
    // And governance's read model follows feedback's status change.
    await waitFor(
      async () =>
        (
          await t.sql(
            `select 1 from governance.candidates where id = $1 and status = 'promoted'
               and requirement_id = $2`,
            [candidateId, promoted.body.id],
          )
        ).length > 0 || undefined,
      { timeoutMs: 30_000, message: 'promoted in governance' },
    );
  }, 120_000);
});
