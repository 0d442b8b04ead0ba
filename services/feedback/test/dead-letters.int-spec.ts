import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import {
  CONSUMERS,
  STREAMS,
  Subjects,
  physicalStreamName,
  type PayloadOf,
  type Subject,
} from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { FeedbackTestApp } from './feedback-test-app.js';

/** Feedback's consumers (other services' consumers are tested with those services). */
type ConsumerKey = {
  [K in keyof typeof CONSUMERS]: (typeof CONSUMERS)[K]['service'] extends 'feedback' ? K : never;
}[keyof typeof CONSUMERS];

/**
 * For every consumer of the feedback service, a message its validation refuses (an empty payload: the
 * contract's required fields are missing). A consumer added to CONSUMERS without an entry here
 * fails the test.
 */
const REFUSED: Record<ConsumerKey, Subject> = {
  feedback_ingestion_widgets: Subjects.Ingestion.WidgetRegisteredV1,
  feedback_ingestion_annotations: Subjects.Ingestion.AnnotationSubmittedV1,
  feedback_ingestion_me_too: Subjects.Ingestion.MeTooSubmittedV1,
  feedback_identity: Subjects.Identity.UserCreatedV1,
  feedback_governance: Subjects.Governance.RequirementPromotedV1,
  feedback_agents: Subjects.Agents.ProposalAcceptedV1,
};

const KEYS = (Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[]).filter(
  (k): k is ConsumerKey => CONSUMERS[k].service === 'feedback',
);

describe('feedback: every consumer dead-letters a refused message once and never sees it again', () => {
  let t: FeedbackTestApp;
  const before: Partial<Record<ConsumerKey, ConsumerInfo>> = {};
  const after: Partial<Record<ConsumerKey, ConsumerInfo>> = {};

  async function consumerInfo(key: ConsumerKey): Promise<ConsumerInfo> {
    const def = CONSUMERS[key];
    const jsm = await jetstreamManager(t.bus.nc);
    return jsm.consumers.info(
      physicalStreamName(t.bus.namespace, STREAMS[def.stream].name),
      def.durable,
    );
  }

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    for (const key of KEYS) {
      // A subject outside the consumer's filter would never reach it: the table must be right.
      expect(REFUSED[key].startsWith(CONSUMERS[key].filterSubject.replace(/>$/, ''))).toBe(true);
      await t.publish(REFUSED[key], {} as PayloadOf<Subject>, {
        breaksContract: 'an empty payload, which the consumer must refuse and dead-letter',
      });
    }
    for (const key of KEYS) {
      await waitFor(async () => (await t.deadLetters(CONSUMERS[key].durable)).length > 0, {
        timeoutMs: 15_000,
        message: `${key}'s dead letter`,
      });
      before[key] = await consumerInfo(key);
    }
    // Stop the consumers and start them again, then wait beyond their ack-wait: a message
    // left pending (not terminated) would be delivered again by now.
    await t.restart();
    const ackWait = Math.max(...KEYS.map((k) => CONSUMERS[k].ackWaitMs));
    await new Promise((r) => setTimeout(r, ackWait + 3_000));
    for (const key of KEYS) after[key] = await consumerInfo(key);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('covers every consumer of CONSUMERS', () => {
    expect(Object.keys(REFUSED).sort()).toEqual([...KEYS].sort());
  });

  it.each(KEYS)('%s', async (key) => {
    const reasons = await t.deadLetters(CONSUMERS[key].durable);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^invalid payload: /);
    // Delivered once, terminated, not pending, not redelivered across the restart.
    expect(before[key]).toMatchObject({ num_ack_pending: 0, num_redelivered: 0 });
    expect(after[key]).toMatchObject({ num_ack_pending: 0, num_redelivered: 0, num_pending: 0 });
    expect(after[key]!.delivered.consumer_seq).toBe(before[key]!.delivered.consumer_seq);
    expect(after[key]!.delivered.consumer_seq).toBe(1);
  });
});
