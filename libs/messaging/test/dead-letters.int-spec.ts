import { randomUUID } from 'node:crypto';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import {
  ConsumerRunner,
  DeadLetterStore,
  provisionConsumers,
  runDlqCli,
  type DeliveryOutcome,
} from '@ihf/messaging';
import { physicalSubject, type EventEnvelope } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

const SUBJECT = 'ihf.identity.user.created.v1';

describe('dead letters (list, show, replay, discard)', () => {
  let f: MessagingFixture;
  let store: DeadLetterStore;
  const runners: ConsumerRunner[] = [];
  /** Names the handlers refuse; a test lifts the refusal before replaying. */
  const refused = new Set<string>();
  const outcomes: Record<string, DeliveryOutcome[]> = { alpha: [], beta: [] };

  beforeAll(async () => {
    f = await MessagingFixture.create();
    store = new DeadLetterStore(f.jsm, f.js, f.namespace);
    for (const name of ['alpha', 'beta']) {
      const definition = f.consumer(`dlq_${name}`, { maxDeliver: 1 });
      await provisionConsumers(f.jsm, f.namespace, [definition]);
      const runner = new ConsumerRunner({
        definition,
        orm: f.orm,
        schema: SCHEMA,
        js: f.js,
        namespace: f.namespace,
        onOutcome: (o) => outcomes[name].push(o),
        handlers: {
          [SUBJECT]: async (e, em) => {
            if (refused.has(`${name}:${e.payload.name}`)) throw new Error(`${name} refuses it`);
            await (em as unknown as SqlEntityManager).execute(
              `insert into ${SCHEMA}.effects (event_id, note) values (?, ?)`,
              [e.event_id, name],
            );
          },
        },
      });
      await runner.start();
      runners.push(runner);
    }
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await f.close();
  });

  function envelope(name: string): EventEnvelope {
    return {
      event_id: randomUUID(),
      type: SUBJECT,
      version: 1,
      occurred_at: new Date().toISOString(),
      producer: 'identity',
      correlation_id: randomUUID(),
      causation_id: null,
      hub_id: null,
      payload: userCreated(name),
    };
  }

  /** Publishes an event that `alpha` refuses (and `beta` handles); resolves once dead-lettered. */
  async function deadLetterForAlpha(name: string): Promise<EventEnvelope> {
    refused.add(`alpha:${name}`);
    const e = envelope(name);
    const before = outcomes.alpha.filter((o) => o === 'dead_lettered').length;
    await f.js.publish(physicalSubject(f.namespace, SUBJECT), JSON.stringify(e), {
      msgID: e.event_id,
    });
    await waitFor(() => outcomes.alpha.filter((o) => o === 'dead_lettered').length > before, {
      message: `${name} dead-lettered`,
    });
    await waitFor(async () => (await notes(e.event_id)).includes('beta'), {
      message: 'beta handled it',
    });
    return e;
  }

  async function notes(eventId: string): Promise<string[]> {
    const rows = await f.sql<{ note: string }>(
      `select note from ${SCHEMA}.effects where event_id = ? order by note`,
      [eventId],
    );
    return rows.map((r) => r.note);
  }

  it('lists and shows dead letters per consumer with reason, subject, payload, deliveries and time', async () => {
    const started = Date.now();
    const e = await deadLetterForAlpha('listed');
    await f.js.publish(physicalSubject(f.namespace, 'ihf.dlq.dlq_other'), 'unrelated');

    const letters = await store.list({ consumer: 'dlq_alpha' });
    const letter = letters.find((l) => l.eventId === e.event_id);
    expect(letter).toMatchObject({
      consumer: 'dlq_alpha',
      subject: SUBJECT,
      stream: 'IHF_IDENTITY',
      deliveries: 1,
      eventId: e.event_id,
    });
    expect(letter!.reason).toMatch(/failed 1 time\(s\) in 1 deliveries: alpha refuses it/);
    expect(JSON.parse(letter!.payload)).toEqual(e);
    expect(letter!.time.getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(letters.every((l) => l.consumer === 'dlq_alpha')).toBe(true);
    expect((await store.list()).map((l) => l.consumer)).toContain('dlq_other');
    expect(await store.list({ consumer: 'dlq_beta' })).toEqual([]);

    expect(await store.get(letter!.seq)).toEqual(letter);
    expect(await store.get(999_999)).toBeNull();
  });

  it('replays a dead letter to its consumer, which handles it; other consumers skip it', async () => {
    const e = await deadLetterForAlpha('replayed');
    const [letter] = (await store.list({ consumer: 'dlq_alpha' })).filter(
      (l) => l.eventId === e.event_id,
    );
    refused.delete('alpha:replayed');
    const handledBefore = outcomes.beta.length;

    const result = await store.replay(letter.seq);
    expect(result).toEqual({
      seq: letter.seq,
      subject: SUBJECT,
      msgId: `replay:dlq_alpha:${letter.seq}`,
      published: true,
    });
    await waitFor(async () => (await notes(e.event_id)).includes('alpha'), {
      message: 'alpha handled the replay',
    });
    expect(await notes(e.event_id)).toEqual(['alpha', 'beta']); // beta did not apply it twice
    await waitFor(() => outcomes.beta.length > handledBefore, { message: 'beta saw the replay' });
    expect(outcomes.beta.slice(handledBefore)).toEqual(['duplicate']);
    // It left the DLQ; replaying it again finds nothing.
    expect(await store.get(letter.seq)).toBeNull();
    expect(await store.replay(letter.seq)).toBeNull();
  });

  it('discards a dead letter', async () => {
    const e = await deadLetterForAlpha('discarded');
    const [letter] = (await store.list({ consumer: 'dlq_alpha' })).filter(
      (l) => l.eventId === e.event_id,
    );
    expect(await store.discard(letter.seq)).toBe(true);
    expect(await store.get(letter.seq)).toBeNull();
    expect(await store.discard(letter.seq)).toBe(false);
    expect(await notes(e.event_id)).toEqual(['beta']); // not replayed
  });

  it('npm run dlq: list, show, replay and discard through the command', async () => {
    const env = { NATS_URL: f.env.natsUrl, IHF_NATS_NAMESPACE: f.namespace };
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runDlqCli(argv, env, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const kept = await deadLetterForAlpha('cli-kept');
    const gone = await deadLetterForAlpha('cli-gone');

    const listed = await cli('list', 'dlq_alpha', '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as { seq: number; event_id: string; reason: string }[];
    const seqOf = (id: string) => rows.find((r) => r.event_id === id)!.seq;
    expect(rows.map((r) => r.event_id)).toEqual(
      expect.arrayContaining([kept.event_id, gone.event_id]),
    );

    const shown = await cli('show', String(seqOf(kept.event_id)));
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      consumer: 'dlq_alpha',
      subject: SUBJECT,
      deliveries: 1,
      payload: kept,
    });

    expect(await cli('discard', String(seqOf(gone.event_id)))).toMatchObject({
      code: 0,
      out: `${seqOf(gone.event_id)}: discarded`,
    });
    expect((await cli('show', String(seqOf(gone.event_id)))).code).toBe(1);

    // Replay everything the consumer has left in the DLQ.
    for (const name of ['listed', 'cli-kept']) refused.delete(`alpha:${name}`);
    const replayed = await cli('replay', '--consumer', 'dlq_alpha', '--all');
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(/dead letter\(s\) replayed$/);
    await waitFor(async () => (await notes(kept.event_id)).includes('alpha'), {
      message: 'alpha handled the replay',
    });
    expect(await store.list({ consumer: 'dlq_alpha' })).toEqual([]);

    expect((await cli('replay')).code).toBe(2);
    expect((await cli('show', 'abc')).code).toBe(2);
    expect((await cli('frobnicate')).err).toMatch(/unknown command/);
  });
});
