import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, type EventEnvelope, Subjects } from '@ihf/contracts';
import { EventConsumers, NonRetryableError } from '@ihf/messaging';
import { ReadModels } from '../read-models/read-models.js';
import { DuplicatesAgent } from './duplicates.agent.js';
import { GovernanceAgents } from './governance.agents.js';
import { ThreadAgents } from './thread.agents.js';

/** Feedback's and governance's events are hub-scoped facts: one without a hub cannot be placed. */
function requiredHub(e: EventEnvelope): string {
  if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
  return e.hub_id.toLowerCase();
}

/**
 * The built-in agents as durable JetStream consumers: each event first updates the read
 * models, then runs the agents it concerns, all in the consumer's transaction with its inbox
 * record (a redelivery proposes nothing twice; an identical proposal is stored once anyway).
 */
@Injectable()
export class BuiltinAgentHandlers implements OnModuleInit {
  constructor(
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(DuplicatesAgent) private readonly duplicates: DuplicatesAgent,
    @Inject(ThreadAgents) private readonly threads: ThreadAgents,
    @Inject(GovernanceAgents) private readonly governance: GovernanceAgents,
  ) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.agents_feedback, {
      [Subjects.Feedback.CandidateCreatedV1]: async (e, em) => {
        const hubId = requiredHub(e);
        await ReadModels.lock(em, 'hub-candidates', hubId);
        await ReadModels.candidateCreated(em, hubId, e.aggregate_version ?? 1, e.payload);
        const candidate = await ReadModels.candidate(em, e.payload.candidate_id.toLowerCase());
        if (candidate) await this.duplicates.candidateCreated(em, candidate);
      },
      [Subjects.Feedback.CandidateStatusChangedV1]: async (e, em) => {
        await ReadModels.candidateStatus(em, e.payload);
      },
      [Subjects.Feedback.ThreadCreatedV1]: async (e, em) => {
        const threadId = e.payload.thread_id.toLowerCase();
        await ReadModels.thread(em, {
          id: threadId,
          hub_id: requiredHub(e),
          widget_id: e.payload.widget_id.toLowerCase(),
          title: e.payload.title,
        });
        await this.threads.threadChanged(em, threadId);
      },
      [Subjects.Feedback.ThreadChangedV1]: async (e, em) => {
        const p = e.payload;
        const threadId = p.thread_id.toLowerCase();
        await ReadModels.thread(em, {
          id: threadId,
          hub_id: requiredHub(e),
          widget_id: p.widget_id.toLowerCase(),
          title: p.title,
        });
        if (p.annotation_id && p.change !== 'details_changed') {
          await ReadModels.lock(em, 'annotation', p.annotation_id.toLowerCase());
          await ReadModels.annotationThread(em, {
            id: p.annotation_id.toLowerCase(),
            hubId: requiredHub(e),
            widgetId: p.widget_id.toLowerCase(),
            threadId: p.change === 'annotation_added' ? threadId : null,
          });
        }
        if (p.change !== 'details_changed') await this.threads.threadChanged(em, threadId);
      },
      [Subjects.Feedback.AnnotationCreatedV1]: async (e, em) => {
        const p = e.payload;
        await ReadModels.lock(em, 'annotation', p.annotation_id.toLowerCase());
        await ReadModels.annotationThread(em, {
          id: p.annotation_id.toLowerCase(),
          hubId: requiredHub(e),
          widgetId: p.widget_id.toLowerCase(),
          threadId: p.thread_id?.toLowerCase() ?? null,
        });
        if (p.thread_id) await this.threads.threadChanged(em, p.thread_id.toLowerCase());
      },
      [Subjects.Feedback.AnnotationRetractedV1]: async (e, em) => {
        const threadId = await ReadModels.annotationRetracted(
          em,
          e.payload.annotation_id.toLowerCase(),
        );
        if (threadId) await this.threads.threadChanged(em, threadId);
      },
    });
    this.consumers.register(CONSUMERS.agents_ingestion_annotations, {
      [Subjects.Ingestion.AnnotationSubmittedV1]: async (e, em) => {
        const p = e.payload;
        await ReadModels.lock(em, 'annotation', p.annotation_id.toLowerCase());
        const threadId = await ReadModels.annotationBody(em, {
          id: p.annotation_id.toLowerCase(),
          hubId: p.hub_id.toLowerCase(),
          widgetId: p.widget_id.toLowerCase(),
          body: p.body,
          category: p.category,
          severity: p.severity,
        });
        if (threadId) await this.threads.threadChanged(em, threadId);
      },
    });
    this.consumers.register(CONSUMERS.agents_ingestion_widgets, {
      [Subjects.Ingestion.WidgetRegisteredV1]: (e, em) => ReadModels.widget(em, e.payload),
      [Subjects.Ingestion.WidgetUpdatedV1]: (e, em) => ReadModels.widget(em, e.payload),
    });
    this.consumers.register(CONSUMERS.agents_governance, {
      [Subjects.Governance.DecisionRecordedV1]: (e, em) =>
        this.governance.decisionRecorded(em, requiredHub(e), e.payload),
      [Subjects.Governance.RequirementPromotedV1]: (e, em) =>
        this.governance.requirementPromoted(em, e.payload),
    });
  }
}
