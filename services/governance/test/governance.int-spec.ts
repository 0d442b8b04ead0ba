import { createHmac, randomUUID } from 'node:crypto';
import { CANDIDATE_STATUSES } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import {
  candidateSnapshot,
  GovernanceTestApp,
  type TestUser,
  user,
} from './governance-test-app.js';

const HUB_A = randomUUID();
const HUB_B = randomUUID();

interface Requirement {
  id: string;
  hub_id: string;
  status: string;
  title: string;
  description: string;
  version: number;
  superseded_by_id: string | null;
  source_candidate_id: string;
}
interface Decision {
  id: string;
  outcome: string;
  supersedes_id: string | null;
  superseded_by_id: string | null;
  work_items: { id: string; state: string; url: string }[];
  policy_references: { policy_scope: string }[];
}
interface Problem {
  code: string;
  candidate_status?: string;
  requirement_id?: string;
}

describe('governance: requirements, decisions, work items, webhook, log and trace', () => {
  let t: GovernanceTestApp;
  const governor = user(['governor'], [HUB_A]);
  const governorB = user(['governor'], [HUB_B]);
  const viewer = user(['viewer'], [HUB_A]);

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function promote(candidateId: string, by: TestUser = governor) {
    return t.request<Requirement & Problem>('POST', '/api/v1/requirements', {
      user: by,
      body: { candidate_id: candidateId },
    });
  }

  async function requirement(hub = HUB_A, by: TestUser = governor): Promise<Requirement> {
    const res = await promote(await t.candidate(hub, 'accepted'), by);
    expect(res.status).toBe(201);
    return res.body;
  }

  async function decide(body: Record<string, unknown>, by: TestUser = governor) {
    return t.request<Decision & Problem>('POST', '/api/v1/decisions', {
      user: by,
      body: { title: 'Ship it', rationale: 'Users asked for it', outcome: 'approved', ...body },
    });
  }

  describe('promotion', () => {
    it('promotes an accepted candidate and publishes requirement.promoted with its version', async () => {
      const candidateId = await t.candidate(HUB_A, 'accepted', { title: 'Visible checkout' });
      const res = await promote(candidateId);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        hub_id: HUB_A,
        title: 'Visible checkout',
        description: 'Users cannot find it',
        status: 'active',
        version: 1,
        source_candidate_id: candidateId,
      });
      const event = await t.waitForEvent(
        'ihf.governance.requirement.promoted.v1',
        (e) => e.payload.candidate_id === candidateId,
      );
      expect(event).toMatchObject({
        hub_id: HUB_A,
        aggregate_id: res.body.id,
        aggregate_version: 1,
        payload: { requirement_id: res.body.id, hub_id: HUB_A, promoted_by: governor.id },
      });
      const history = await t.request<{ changes: { change: string }[] }>(
        'GET',
        `/api/v1/requirements/${res.body.id}/history`,
        { user: viewer },
      );
      expect(history.body.changes.map((c) => c.change)).toEqual(['promoted']);
    });

    it.each(CANDIDATE_STATUSES.filter((s) => s !== 'accepted'))(
      'refuses a %s candidate with 409 naming its status',
      async (status) => {
        const res = await promote(await t.candidate(HUB_A, status));
        expect(res.status).toBe(409);
        expect(res.body.candidate_status).toBe(status);
        expect(res.body.code).toBe(
          status === 'promoted'
            ? 'GOVERNANCE.CANDIDATE_ALREADY_PROMOTED'
            : 'GOVERNANCE.CANDIDATE_NOT_ACCEPTED',
        );
      },
    );

    it('promotes a candidate once: a second promotion is 409 naming the requirement', async () => {
      const candidateId = await t.candidate(HUB_A, 'accepted');
      const first = await promote(candidateId);
      const second = await promote(candidateId);
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({
        code: 'GOVERNANCE.CANDIDATE_ALREADY_PROMOTED',
        requirement_id: first.body.id,
      });
    });

    it('lets exactly one of two racing promotions win (the insert is slowed to overlap them)', async () => {
      const candidateId = await t.candidate(HUB_A, 'accepted');
      // Both requests pass their checks before either commits unless the candidate is locked.
      await t.sql(`create function governance.slow_insert() returns trigger as $$
        begin perform pg_sleep(0.4); return new; end; $$ language plpgsql`);
      await t.sql(`create trigger slow_requirements before insert on governance.requirements
        for each row execute function governance.slow_insert()`);
      try {
        const answers = await Promise.all([promote(candidateId), promote(candidateId)]);
        expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
        expect(answers.find((a) => a.status === 409)?.body.code).toBe(
          'GOVERNANCE.CANDIDATE_ALREADY_PROMOTED',
        );
      } finally {
        await t.sql('drop trigger slow_requirements on governance.requirements');
        await t.sql('drop function governance.slow_insert()');
      }
      const rows = await t.sql(
        'select id from governance.requirements where source_candidate_id = $1',
        [candidateId],
      );
      expect(rows).toHaveLength(1);
    });

    it('needs a governor of the hub; other hubs see nothing', async () => {
      const candidateId = await t.candidate(HUB_A, 'accepted');
      expect((await promote(candidateId, viewer)).status).toBe(403);
      expect((await promote(candidateId, governorB)).body.code).toBe(
        'GOVERNANCE.CANDIDATE_NOT_FOUND',
      );
    });
  });

  describe('promotion when the read model lags', () => {
    afterEach(() => t.serveCandidateLookups(null));

    it('asks feedback about a candidate it has not heard of, and stores the answer', async () => {
      const id = randomUUID();
      t.serveCandidateLookups(new Map([[id, candidateSnapshot(id, HUB_A, 'accepted', 3)]]));
      const res = await promote(id);
      expect(res).toMatchObject({ status: 201, body: { title: 'Looked up at feedback' } });
      const [row] = await t.sql('select status, version from governance.candidates where id = $1', [
        id,
      ]);
      expect(row).toEqual({ status: 'accepted', version: 3 });
    });

    it('asks feedback when the model shows an older status, and refuses on a newer one', async () => {
      const accepted = await t.candidate(HUB_A, 'in_review');
      const rejected = await t.candidate(HUB_A, 'in_review');
      t.serveCandidateLookups(
        new Map([
          [accepted, candidateSnapshot(accepted, HUB_A, 'accepted', 3)],
          [rejected, candidateSnapshot(rejected, HUB_A, 'rejected', 3)],
        ]),
      );
      expect((await promote(accepted)).status).toBe(201);
      expect((await promote(rejected)).body).toMatchObject({
        code: 'GOVERNANCE.CANDIDATE_NOT_ACCEPTED',
        candidate_status: 'rejected',
      });
    });

    it('asks feedback about the candidate a decision names when it has not heard of it', async () => {
      const id = randomUUID();
      t.serveCandidateLookups(new Map([[id, candidateSnapshot(id, HUB_A, 'in_review', 2)]]));
      const res = await decide({ candidate_id: id, outcome: 'needs_information' });
      expect(res).toMatchObject({ status: 201, body: { candidate_id: id } });
      t.serveCandidateLookups(null);
      expect((await decide({ candidate_id: randomUUID() })).status).toBe(503);
    });

    it('answers 404 when feedback does not know it either, 503 when feedback does not answer', async () => {
      t.serveCandidateLookups(new Map());
      expect((await promote(randomUUID())).body.code).toBe('GOVERNANCE.CANDIDATE_NOT_FOUND');
      t.serveCandidateLookups(null);
      const down = await promote(randomUUID());
      expect(down).toMatchObject({
        status: 503,
        body: { code: 'GOVERNANCE.CANDIDATE_LOOKUP_UNAVAILABLE' },
      });
      // A candidate of another hub stays invisible whatever feedback says.
      const other = randomUUID();
      t.serveCandidateLookups(new Map([[other, candidateSnapshot(other, HUB_B, 'accepted', 3)]]));
      expect((await promote(other)).status).toBe(404);
    });
  });

  describe('requirements', () => {
    it('edits with history, and supersedes in chains; superseded and retired are final', async () => {
      const a = await requirement();
      const b = await requirement();
      const c = await requirement();
      const edited = await t.request<Requirement>('PATCH', `/api/v1/requirements/${a.id}`, {
        user: governor,
        body: { title: 'Visible checkout, v2', expected_version: 1 },
      });
      expect(edited.body).toMatchObject({ title: 'Visible checkout, v2', version: 2 });
      const stale = await t.request<Problem>('PATCH', `/api/v1/requirements/${a.id}`, {
        user: governor,
        body: { title: 'x', expected_version: 1 },
      });
      expect(stale.body.code).toBe('GOVERNANCE.REQUIREMENT_VERSION_CONFLICT');

      const ab = await t.request<Requirement>('POST', `/api/v1/requirements/${a.id}/supersede`, {
        user: governor,
        body: { superseded_by_id: b.id },
      });
      expect(ab.body).toMatchObject({ status: 'superseded', superseded_by_id: b.id, version: 3 });
      const bc = await t.request<Requirement>('POST', `/api/v1/requirements/${b.id}/supersede`, {
        user: governor,
        body: { superseded_by_id: c.id },
      });
      expect(bc.body.superseded_by_id).toBe(c.id);
      // C cannot be replaced by A (superseded), nor A edited again.
      const back = await t.request<Problem>('POST', `/api/v1/requirements/${c.id}/supersede`, {
        user: governor,
        body: { superseded_by_id: a.id },
      });
      expect(back).toMatchObject({ status: 422, body: { code: 'GOVERNANCE.INVALID_SUCCESSOR' } });
      const again = await t.request<Problem>('PATCH', `/api/v1/requirements/${a.id}`, {
        user: governor,
        body: { title: 'y' },
      });
      expect(again).toMatchObject({
        status: 409,
        body: { code: 'GOVERNANCE.REQUIREMENT_NOT_ACTIVE' },
      });
      const retired = await t.request<Requirement>('POST', `/api/v1/requirements/${c.id}/retire`, {
        user: governor,
        body: { notes: 'no longer needed' },
      });
      expect(retired.body.status).toBe('retired');

      const history = await t.request<{ changes: { change: string; version: number }[] }>(
        'GET',
        `/api/v1/requirements/${a.id}/history`,
        { user: viewer },
      );
      expect(history.body.changes.map((h) => [h.version, h.change])).toEqual([
        [1, 'promoted'],
        [2, 'edited'],
        [3, 'superseded'],
      ]);
      const superseded = await t.waitForEvent(
        'ihf.governance.requirement.superseded.v1',
        (e) => e.payload.requirement_id === a.id,
      );
      expect(superseded).toMatchObject({
        aggregate_version: 3,
        payload: { superseded_by_id: b.id },
      });
      const trace = await t.request<{ supersedes: string[] }>(
        'GET',
        `/api/v1/requirements/${c.id}/trace`,
        { user: viewer },
      );
      expect(trace.body.supersedes).toEqual([b.id]);
    });
  });

  describe('decisions', () => {
    it('records decisions, supersedes them in a chain once each, and keeps both', async () => {
      const r = await requirement();
      const d1 = await decide({ requirement_id: r.id, outcome: 'deferred' });
      expect(d1.status).toBe(201);
      const d2 = await decide({ requirement_id: r.id, supersedes_id: d1.body.id });
      const d3 = await decide({
        requirement_id: r.id,
        outcome: 'needs_information',
        supersedes_id: d2.body.id,
      });
      expect(d3.status).toBe(201);
      const twice = await decide({ requirement_id: r.id, supersedes_id: d1.body.id });
      expect(twice).toMatchObject({
        status: 409,
        body: { code: 'GOVERNANCE.DECISION_ALREADY_SUPERSEDED' },
      });
      const trace = await t.request<{ decisions: Decision[] }>(
        'GET',
        `/api/v1/requirements/${r.id}/trace`,
        { user: viewer },
      );
      expect(trace.body.decisions.map((d) => [d.id, d.supersedes_id, d.superseded_by_id])).toEqual([
        [d1.body.id, null, d2.body.id],
        [d2.body.id, d1.body.id, d3.body.id],
        [d3.body.id, d2.body.id, null],
      ]);
      await t.waitForEvent(
        'ihf.governance.decision.superseded.v1',
        (e) => e.payload.decision_id === d1.body.id && e.aggregate_version === 2,
      );
    });

    it('records a re-sent decision (same client id) once, also when both copies race', async () => {
      const r = await requirement();
      const id = randomUUID();
      const [a, b] = await Promise.all([
        decide({ id, requirement_id: r.id }),
        decide({ id, requirement_id: r.id }),
      ]);
      const c = await decide({ id, requirement_id: r.id });
      for (const res of [a, b, c]) expect(res).toMatchObject({ status: 201, body: { id } });
      expect(
        await t.sql('select id from governance.decision_records where requirement_id = $1', [r.id]),
      ).toHaveLength(1);
      const other = await decide({ id, requirement_id: r.id, title: 'Something else' });
      expect(other).toMatchObject({ status: 409, body: { code: 'GOVERNANCE.DECISION_ID_TAKEN' } });
    });

    it('needs a subject, a known outcome and a governor; never decides across hubs', async () => {
      const r = await requirement();
      expect((await decide({})).body.code).toBe('GOVERNANCE.INVALID_DECISION_SUBJECT');
      expect((await decide({ requirement_id: r.id, outcome: 'maybe' })).status).toBe(400);
      expect((await decide({ requirement_id: r.id }, viewer)).status).toBe(403);
      expect((await decide({ requirement_id: r.id }, governorB)).status).toBe(422);
      const candidateOnly = await decide({ candidate_id: await t.candidate(HUB_A, 'in_review') });
      expect(candidateOnly.status).toBe(201);
    });

    it('renders a decision as a MADR record for Accept: text/markdown', async () => {
      const r = await requirement();
      const d = await decide({ requirement_id: r.id, notes: 'Revisit after launch' });
      await t.request('POST', `/api/v1/decisions/${d.body.id}/policy-references`, {
        user: governor,
        body: { policy_scope: 'privacy/gdpr', constraint_note: 'no personal data in logs' },
      });
      const md = await t.request<string>('GET', `/api/v1/decisions/${d.body.id}`, {
        user: viewer,
        headers: { accept: 'text/markdown' },
      });
      expect(md.status).toBe(200);
      expect(md.contentType).toMatch(/^text\/markdown/);
      expect(md.body).toContain('---\nstatus: "accepted"\n');
      expect(md.body).toContain('# Ship it');
      expect(md.body).toContain('## Decision Outcome');
      expect(md.body).toContain('Outcome: **approved**');
      expect(md.body).toContain(`Requirement ${r.id}: ${r.title}.`);
      expect(md.body).toContain('* privacy/gdpr: no personal data in logs');
      const json = await t.request<Decision>('GET', `/api/v1/decisions/${d.body.id}`, {
        user: viewer,
      });
      expect(json.body.policy_references).toEqual([
        expect.objectContaining({ policy_scope: 'privacy/gdpr' }),
      ]);
      const scopes = await t.request<{ items: { policy_scope: string }[] }>(
        'GET',
        `/api/v1/hubs/${HUB_A}/policy-scopes`,
        { user: viewer },
      );
      expect(scopes.body.items.map((s) => s.policy_scope)).toContain('privacy/gdpr');
    });

    it('refuses UPDATE, DELETE and TRUNCATE on decisions and the requirement audit', async () => {
      const r = await requirement();
      await decide({ requirement_id: r.id });
      for (const table of ['decision_records', 'requirement_history']) {
        await expect(t.sql(`update governance.${table} set notes = 'x'`)).rejects.toThrow(
          /append-only/,
        );
        await expect(t.sql(`delete from governance.${table}`)).rejects.toThrow(/append-only/);
        await expect(t.sql(`truncate governance.${table} cascade`)).rejects.toThrow(/append-only/);
      }
    });
  });

  describe('work items', () => {
    let decisionId: string;
    beforeAll(async () => {
      const r = await requirement();
      decisionId = (await decide({ requirement_id: r.id })).body.id;
    });
    const link = (system: string, ref: string) =>
      t.request<{ url: string; state: string } & Problem>(
        'POST',
        `/api/v1/decisions/${decisionId}/work-items`,
        { user: governor, body: { system, ref } },
      );

    it('checks each format and derives URLs, with the hub base URLs for self-hosted trackers', async () => {
      expect((await link('jira', 'PROJ-42')).body.code).toBe('GOVERNANCE.TRACKER_BASE_URL_MISSING');
      const put = await t.request('PUT', `/api/v1/hubs/${HUB_A}/tracker-settings`, {
        user: governor,
        body: {
          jira_base_url: 'https://jira.acme.example',
          gitlab_base_url: 'https://git.acme.example',
        },
      });
      expect(put.status).toBe(200);
      const valid: [string, string, string][] = [
        ['github', 'acme/shop#12', 'https://github.com/acme/shop/issues/12'],
        ['gitlab', 'acme/shop!7', 'https://git.acme.example/acme/shop/-/merge_requests/7'],
        ['jira', 'PROJ-42', 'https://jira.acme.example/browse/PROJ-42'],
        ['url', 'https://tracker.example/1', 'https://tracker.example/1'],
      ];
      for (const [system, ref, url] of valid) {
        const res = await link(system, ref);
        expect(res).toMatchObject({ status: 201, body: { url, state: 'unknown' } });
      }
      for (const [system, ref] of [
        ['github', 'acme/shop'],
        ['gitlab', 'shop#1'],
        ['jira', 'proj-1'],
        ['linear', 'eng-1'],
        ['azure_boards', 'AB-1'],
        ['url', 'http://tracker.example/1'],
      ]) {
        expect((await link(system, ref)).body.code).toBe('GOVERNANCE.INVALID_WORK_ITEM_REF');
      }
      expect((await link('github', 'acme/shop#12')).body.code).toBe('GOVERNANCE.ALREADY_LINKED');
      expect((await link('trello', 'x')).status).toBe(400);
    });

    describe('GitHub webhook', () => {
      const secret = 'a-webhook-secret-of-some-length';
      const deliver = (
        hubId: string,
        body: object,
        opts: { delivery?: string; sign?: string; event?: string; tamper?: boolean } = {},
      ) => {
        const raw = JSON.stringify(body, null, 1);
        const signed = opts.tamper ? raw.replace('closed', 'open') : raw;
        const signature = `sha256=${createHmac('sha256', opts.sign ?? secret)
          .update(raw)
          .digest('hex')}`;
        return t.app.inject({
          method: 'POST',
          url: `/api/v1/webhooks/github/${hubId}`,
          headers: {
            'content-type': 'application/json',
            'x-github-event': opts.event ?? 'issues',
            'x-github-delivery': opts.delivery ?? randomUUID(),
            'x-hub-signature-256': signature,
          },
          payload: signed,
        });
      };
      const closed = {
        action: 'closed',
        repository: { full_name: 'Acme/Shop' },
        issue: { number: 12, state: 'closed' },
      };
      const itemState = async () =>
        (
          await t.sql<{ state: string }>(
            `select state from governance.implementation_change_references
             where decision_id = $1 and work_item_ref = 'acme/shop#12'`,
            [decisionId],
          )
        )[0]?.state;

      beforeAll(async () => {
        await link('github', 'acme/shop#12');
        const res = await t.request('PUT', `/api/v1/hubs/${HUB_A}/github-webhook-secret`, {
          user: governor,
          body: { secret },
        });
        expect(res.status).toBe(204);
      });

      it('never returns the secret and stores it encrypted', async () => {
        const settings = await t.request<Record<string, unknown>>(
          'GET',
          `/api/v1/hubs/${HUB_A}/tracker-settings`,
          { user: viewer },
        );
        expect(settings.body.github_webhook_secret_set).toBe(true);
        expect(JSON.stringify(settings.body)).not.toContain(secret);
        const [row] = await t.sql<{ s: Buffer }>(
          'select github_webhook_secret as s from governance.hub_settings where hub_id = $1',
          [HUB_A],
        );
        expect(row.s.toString('latin1')).not.toContain(secret);
      });

      it('answers 401 problem+json to a tampered body, a wrong secret, or a hub without one', async () => {
        for (const res of [
          await deliver(HUB_A, closed, { tamper: true }),
          await deliver(HUB_A, closed, { sign: 'another-secret-entirely' }),
          await deliver(HUB_B, closed),
        ]) {
          expect(res.statusCode).toBe(401);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.json()).toMatchObject({ code: 'GOVERNANCE.WEBHOOK_SIGNATURE_INVALID' });
        }
        expect(await itemState()).toBe('unknown');
      });

      it('applies a valid delivery once: a replayed delivery id changes nothing', async () => {
        const delivery = randomUUID();
        const first = await deliver(HUB_A, closed, { delivery });
        expect(first.statusCode).toBe(200);
        expect(first.json()).toEqual({ result: 'processed', items_changed: 1 });
        expect(await itemState()).toBe('closed');
        const reopened = {
          ...closed,
          action: 'reopened',
          issue: { number: 12, state: 'open' },
        };
        await deliver(HUB_A, reopened);
        expect(await itemState()).toBe('open');
        // GitHub's "redeliver" sends the same delivery id again.
        const replay = await deliver(HUB_A, closed, { delivery });
        expect(replay.json()).toEqual({ result: 'duplicate', items_changed: 0 });
        expect(await itemState()).toBe('open');
        const merged = await deliver(
          HUB_A,
          {
            action: 'closed',
            repository: { full_name: 'acme/shop' },
            pull_request: { number: 12, state: 'closed', merged: true },
          },
          { event: 'pull_request' },
        );
        expect(merged.json()).toMatchObject({ items_changed: 1 });
        expect(await itemState()).toBe('merged');
        const changed = await t.waitForEvent(
          'ihf.governance.work_item.state_changed.v1',
          (e) => e.payload.to === 'merged',
        );
        expect(changed.aggregate_version).toBe(4);
      });

      it('acknowledges unknown items and other events and ignores them', async () => {
        const unknown = await deliver(HUB_A, {
          ...closed,
          issue: { number: 999, state: 'closed' },
        });
        expect(unknown.statusCode).toBe(200);
        expect(unknown.json()).toEqual({ result: 'ignored', items_changed: 0 });
        const ping = await deliver(HUB_A, { zen: 'Keep it logically awesome.' }, { event: 'ping' });
        expect(ping.json()).toEqual({ result: 'ignored', items_changed: 0 });
      });
    });
  });

  describe('the decision log, its export and hub scoping', () => {
    it('refuses with a 400, not a 500, times no JavaScript Date reads and references no index holds', async () => {
      // Strict ISO 8601 accepts week and ordinal dates; they were an Invalid Date in the SQL.
      for (const time of ['2026-W01', '2026-W01-1', '2026-123']) {
        for (const path of ['/api/v1/decisions', '/api/v1/decisions/export']) {
          const res = await t.request<Problem>('GET', `${path}?from=${time}`, { user: viewer });
          expect(res.status).toBe(400);
          expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
        }
      }
      // 2,000 CJK characters (6 kB) overflowed the unique btree index on the reference.
      const r = await requirement();
      const d = await decide({ requirement_id: r.id });
      const long = await t.request<Problem>('POST', `/api/v1/decisions/${d.body.id}/work-items`, {
        body: { system: 'url', ref: `https://example.com/${'界'.repeat(2000)}` },
        user: governor,
      });
      expect(long.status).toBe(400);
      expect(long.body.code).toBe('REQUEST.VALIDATION_FAILED');
    });

    it('merges the hubs of a member of several, page by page, as one newest-first log', async () => {
      // Decisions in both hubs, interleaved in time; a member of both pages through the log
      // without a hub filter (one page per hub merged in SQL) and must see exactly what an
      // admin sees of those two hubs, in the same order, with no repeat and no gap.
      const ra = await requirement(HUB_A, governor);
      const rb = await requirement(HUB_B, governorB);
      for (let i = 0; i < 3; i++) {
        await decide({ requirement_id: ra.id, outcome: 'approved', title: `Merge A${i}` });
        await decide(
          {
            requirement_id: rb.id,
            outcome: i === 1 ? 'rejected' : 'approved',
            title: `Merge B${i}`,
          },
          governorB,
        );
      }
      const both = user(['viewer'], [HUB_A, HUB_B]);
      const admin = user(['admin'], []);
      const expected = (
        await t.request<{ items: Decision[] }>('GET', '/api/v1/decisions?limit=200', {
          user: admin,
        })
      ).body.items
        .filter((d) => [HUB_A, HUB_B].includes((d as unknown as { hub_id: string }).hub_id))
        .map((d) => d.id);
      expect(expected.length).toBeGreaterThanOrEqual(6);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: Decision[]; next_cursor: string | null } } =
          await t.request('GET', `/api/v1/decisions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
            user: both,
          });
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((d) => d.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      // A hub-led filter (outcome) takes the same path, and agrees with the admin's view.
      const inHubs = (items: Decision[]): string[] =>
        items
          .filter((d) => [HUB_A, HUB_B].includes((d as unknown as { hub_id: string }).hub_id))
          .map((d) => d.id);
      const approvedByAdmin = inHubs(
        (
          await t.request<{ items: Decision[] }>(
            'GET',
            '/api/v1/decisions?outcome=approved&limit=200',
            {
              user: admin,
            },
          )
        ).body.items,
      );
      const approved = await t.request<{ items: Decision[] }>(
        'GET',
        '/api/v1/decisions?outcome=approved&limit=200',
        { user: both },
      );
      expect(approved.body.items.map((d) => d.id)).toEqual(approvedByAdmin);
      expect(approvedByAdmin.length).toBeGreaterThanOrEqual(5);
    });

    it('filters, paginates by cursor, exports CSV and never shows another hub', async () => {
      const r = await requirement();
      const ids: string[] = [];
      for (const outcome of ['approved', 'rejected', 'deferred']) {
        ids.push(
          (await decide({ requirement_id: r.id, outcome, title: `Zebra ${outcome}` })).body.id,
        );
      }
      const rb = await requirement(HUB_B, governorB);
      const other = await decide({ requirement_id: rb.id, title: 'Zebra elsewhere' }, governorB);

      const page1 = await t.request<{ items: Decision[]; next_cursor: string }>(
        'GET',
        `/api/v1/decisions?requirement_id=${r.id}&limit=2`,
        { user: viewer },
      );
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
      const page2 = await t.request<{ items: Decision[]; next_cursor: string | null }>(
        'GET',
        `/api/v1/decisions?requirement_id=${r.id}&limit=2&cursor=${page1.body.next_cursor}`,
        { user: viewer },
      );
      expect(page2.body).toEqual({
        items: [expect.objectContaining({ id: ids[0] })],
        next_cursor: null,
      });
      const rejected = await t.request<{ items: Decision[] }>(
        'GET',
        `/api/v1/decisions?outcome=rejected&q=zebra&decided_by=${governor.id}`,
        { user: viewer },
      );
      expect(rejected.body.items.map((d) => d.id)).toEqual([ids[1]]);
      const everything = await t.request<{ items: Decision[] }>(
        'GET',
        '/api/v1/decisions?q=zebra&limit=200',
        { user: viewer },
      );
      expect(everything.body.items.map((d) => d.id)).not.toContain(other.body.id);
      const future = await t.request<{ items: Decision[] }>(
        'GET',
        `/api/v1/decisions?from=${new Date(Date.now() + 60_000).toISOString()}`,
        { user: viewer },
      );
      expect(future.body.items).toEqual([]);

      const csv = await t.request<string>('GET', '/api/v1/decisions/export?q=zebra', {
        user: viewer,
      });
      expect(csv.contentType).toMatch(/^text\/csv/);
      const lines = csv.body.trim().split('\n');
      expect(lines[0]).toMatch(/^id,hub_id,decided_at,outcome,title,/);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expect.arrayContaining(ids));
      expect(csv.body).not.toContain(other.body.id);

      // Another hub's member: 404 like a missing row for ids, 403 for a hub it names.
      const outsider = user(['governor'], [HUB_B]);
      expect(
        (await t.request('GET', `/api/v1/requirements/${r.id}`, { user: outsider })).status,
      ).toBe(404);
      expect(
        (await t.request('GET', `/api/v1/requirements/${r.id}/trace`, { user: outsider })).status,
      ).toBe(404);
      expect(
        (await t.request('GET', `/api/v1/requirements/${r.id}/history`, { user: outsider })).status,
      ).toBe(404);
      expect(
        (await t.request('GET', `/api/v1/decisions/${ids[0]}`, { user: outsider })).status,
      ).toBe(404);
      expect(
        (await t.request('GET', `/api/v1/decisions?hub_id=${HUB_A}`, { user: outsider })).status,
      ).toBe(403);
      expect(
        (await t.request('GET', `/api/v1/decisions/export?hub_id=${HUB_A}`, { user: outsider }))
          .status,
      ).toBe(403);
      expect(
        (await t.request('GET', `/api/v1/hubs/${HUB_A}/policy-scopes`, { user: outsider })).status,
      ).toBe(403);
      const theirs = await t.request<{ items: Decision[] }>('GET', '/api/v1/decisions?limit=200', {
        user: outsider,
      });
      expect(theirs.body.items.every((d) => ![...ids].includes(d.id))).toBe(true);
      const reqs = await t.request<{ items: Requirement[] }>(
        'GET',
        '/api/v1/requirements?limit=200',
        {
          user: outsider,
        },
      );
      expect(reqs.body.items.every((x) => x.hub_id === HUB_B)).toBe(true);
      expect(
        (
          await t.request('POST', `/api/v1/decisions/${ids[0]}/work-items`, {
            user: outsider,
            body: { system: 'github', ref: 'a/b#1' },
          })
        ).status,
      ).toBe(404);
    });
  });

  it('answers 4xx, never 5xx, to text no database column can hold', async () => {
    const r = await requirement();
    const nul = 'nul \u0000 byte';
    const answers = [
      await decide({ requirement_id: r.id, title: nul }),
      await decide({ requirement_id: r.id, rationale: nul }),
      await t.request('GET', `/api/v1/decisions?q=${encodeURIComponent(nul)}`, { user: viewer }),
      await t.request('PATCH', `/api/v1/requirements/${r.id}`, {
        user: governor,
        body: { description: nul },
      }),
    ];
    for (const a of answers) expect(a.status).toBeLessThan(500);
  });

  it('documents its operations and their problem answers in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.components.schemas).toHaveProperty('ProblemDoc');
    expect(doc.components.schemas).toHaveProperty('TraceView');
    expect(Object.keys(doc.paths['/api/v1/requirements'].post.responses).sort()).toEqual(
      ['201', '400', '401', '403', '404', '409', '413', '415', '422', '503'].sort(),
    );
    expect(doc.paths['/api/v1/webhooks/github/{hubId}'].post.responses).toHaveProperty('401');
  });

  describe('accepted agent proposals', () => {
    it('turns a policy_flag into a policy reference and an impl_proposal into a work-item draft, once', async () => {
      const r = await requirement();
      const d = (await decide({ requirement_id: r.id })).body;
      const flag = {
        proposal_id: randomUUID(),
        kind: 'policy_flag' as const,
        hub_id: HUB_A,
        accepted_by: governor.id,
        accepted_at: new Date().toISOString(),
        decision_id: d.id,
        policy_scope: 'accessibility/wcag',
        constraint_note: 'AA contrast',
      };
      await t.publish('ihf.agents.proposal.accepted.v1', flag, { hubId: HUB_A });
      await t.publish('ihf.agents.proposal.accepted.v1', flag, { hubId: HUB_A });
      const impl = {
        proposal_id: randomUUID(),
        kind: 'impl_proposal' as const,
        hub_id: HUB_A,
        accepted_by: governor.id,
        accepted_at: new Date().toISOString(),
        requirement_id: r.id,
        title: 'Raise the button',
        description: 'Move it above the fold',
        work_item_system: 'github' as const,
      };
      await t.publish('ihf.agents.proposal.accepted.v1', impl, { hubId: HUB_A });
      await waitFor(
        async () =>
          (
            await t.sql('select 1 from governance.work_item_drafts where requirement_id = $1', [
              r.id,
            ])
          ).length > 0 || undefined,
        { timeoutMs: 10_000, message: 'work-item draft' },
      );
      const refs = await t.sql(
        'select policy_scope from governance.policy_references where decision_id = $1',
        [d.id],
      );
      expect(refs).toEqual([{ policy_scope: 'accessibility/wcag' }]);
      const trace = await t.request<{
        decisions: Decision[];
        work_item_drafts: { title: string; system: string; source_proposal_id: string }[];
      }>('GET', `/api/v1/requirements/${r.id}/trace`, { user: viewer });
      expect(trace.body.decisions[0].policy_references).toEqual([
        expect.objectContaining({ policy_scope: 'accessibility/wcag' }),
      ]);
      expect(trace.body.work_item_drafts).toEqual([
        expect.objectContaining({
          title: 'Raise the button',
          system: 'github',
          source_proposal_id: impl.proposal_id,
        }),
      ]);
    });
  });
});
