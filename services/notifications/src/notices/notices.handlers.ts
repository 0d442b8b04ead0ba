import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type ConsumerDefinition,
  CONSUMERS,
  type EventEnvelope,
  Subjects,
  subjectMatches,
  type Subject,
} from '@ihf/contracts';
import {
  type EventHandler,
  type EventHandlers,
  EventConsumers,
  NonRetryableError,
} from '@ihf/messaging';
import { RecipientsRepository as R } from '../recipients/recipients.repository.js';
import { NOTICE_RULES, type NoticeRule } from './notice-rules.js';
import { writeNotice } from './notice-writer.js';

/** Candidate events are hub-scoped facts: one without a hub cannot be placed. */
function requiredHub(e: EventEnvelope): string {
  if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
  return e.hub_id;
}

/** Facts the rules read, kept by the consumers that carry them (before the rule runs). */
const READ_MODEL: EventHandlers = {
  [Subjects.Feedback.CandidateCreatedV1]: async (e, em) => {
    await R.candidateCreated(em, {
      id: e.payload.candidate_id,
      hubId: requiredHub(e),
      title: e.payload.title,
      createdBy: e.payload.created_by,
      sourceAnnotationId: e.payload.source_annotation_id,
      sourceThreadId: e.payload.source_thread_id,
    });
  },
  [Subjects.Feedback.AnnotationCreatedV1]: async (e, em) => {
    const p = e.payload;
    await R.annotation(
      em,
      p.annotation_id,
      p.actor_type === 'user' ? p.actor_id : null,
      p.thread_id,
    );
  },
  [Subjects.Feedback.ThreadChangedV1]: async (e, em) => {
    const p = e.payload;
    if (!p.annotation_id) return;
    if (p.change === 'annotation_added') await R.annotationThread(em, p.annotation_id, p.thread_id);
    if (p.change === 'annotation_removed') await R.annotationThread(em, p.annotation_id, null);
  },
  // Subscriptions of people (reporters are end users with no address: never told).
  [Subjects.Feedback.CandidateSubscribedV1]: async (e, em) => {
    const p = e.payload;
    if (p.subscriber_kind === 'user') await R.subscribed(em, p.candidate_id, p.subscriber_id);
  },
  [Subjects.Feedback.CandidateUnsubscribedV1]: async (e, em) => {
    const p = e.payload;
    if (p.subscriber_kind === 'user') await R.unsubscribed(em, p.candidate_id, p.subscriber_id);
  },
  [Subjects.Deployment.DeploymentRecordedV1]: async (e, em) => {
    const p = e.payload;
    await R.deploymentRecorded(em, p.deployment_id, requiredHub(e), p.requirement_id);
  },
  [Subjects.Governance.RequirementPromotedV1]: async (e, em) => {
    await R.requirementPromoted(
      em,
      e.payload.requirement_id,
      e.payload.hub_id,
      e.payload.candidate_id,
    );
  },
};

/** The consumers of people's notices, by stream; each takes the rules its filter captures. */
const NOTICE_CONSUMERS: readonly ConsumerDefinition[] = [
  CONSUMERS.notifications_feedback,
  CONSUMERS.notifications_governance,
  CONSUMERS.notifications_deployment,
];

/** Handlers of one consumer: its read-model updates, then the notice of the event (if any). */
export function noticeHandlers(definition: ConsumerDefinition): EventHandlers {
  const subjects = new Set(
    [...Object.keys(READ_MODEL), ...Object.keys(NOTICE_RULES)].filter((s) =>
      subjectMatches(definition.filterSubject, s),
    ),
  );
  const handlers: Record<string, EventHandler<Subject>> = {};
  for (const subject of subjects) {
    const fact = (READ_MODEL as Record<string, EventHandler<Subject> | undefined>)[subject];
    const rule = (NOTICE_RULES as Record<string, NoticeRule<Subject> | undefined>)[subject];
    handlers[subject] = async (e, em) => {
      if (fact) await fact(e, em);
      const notice = rule ? await rule(e, em) : undefined;
      if (notice) await writeNotice(em, e, notice);
    };
  }
  return handlers;
}

/** Registers the notices' consumers (one with no subject to handle is not started). */
@Injectable()
export class NoticeHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    for (const definition of NOTICE_CONSUMERS) {
      const handlers = noticeHandlers(definition);
      if (Object.keys(handlers).length > 0) this.consumers.register(definition, handlers);
    }
  }
}
