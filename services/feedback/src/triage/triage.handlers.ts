import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import {
  CONSUMERS,
  type EventEnvelope,
  type ProposalAcceptedV1,
  type RequirementPromotedV1,
  Subjects,
} from '@ihf/contracts';
import { EventConsumers, NonRetryableError } from '@ihf/messaging';
import { DomainError } from '@ihf/observability';
import { CandidateRepository } from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { WidgetDirectory } from '../read-models/widget-directory.service.js';
import { TriageService } from './triage.service.js';

/**
 * What other services decide about candidates: governance's promotions, and accepted agent
 * proposals (duplicate flags merge the duplicate like a triager's merge, requirement drafts
 * create a candidate). A
 * decision this service cannot apply (unknown candidate, a transition the workflow refuses)
 * is dead-lettered with the reason, never acknowledged silently.
 */
@Injectable()
export class TriageHandlers implements OnModuleInit {
  constructor(
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(TriageService) private readonly triage: TriageService,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
    @Inject(WidgetDirectory) private readonly widgets: WidgetDirectory,
  ) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_governance, {
      [Subjects.Governance.RequirementPromotedV1]: (e, em) => this.promoted(em, e),
    });
    this.consumers.register(CONSUMERS.feedback_agents, {
      [Subjects.Agents.ProposalAcceptedV1]: (e, em) => this.proposalAccepted(em, e),
    });
  }

  private async promoted(
    em: EntityManager,
    e: EventEnvelope<RequirementPromotedV1>,
  ): Promise<void> {
    const p = e.payload;
    const candidate = await CandidateRepository.find(em, p.candidate_id.toLowerCase(), true);
    if (!candidate || candidate.hub_id !== p.hub_id.toLowerCase()) {
      throw new NonRetryableError(`candidate ${p.candidate_id} does not exist in hub ${p.hub_id}`);
    }
    const requirementId = p.requirement_id.toLowerCase();
    if (candidate.status === 'promoted' && candidate.requirement_id === requirementId) return;
    await this.refusedIsFinal(() =>
      this.triage.apply(em, candidate, {
        to: 'promoted',
        notes: `promoted to requirement ${requirementId}`,
        duplicateOfId: null,
        requirementId,
        changedBy: p.promoted_by,
        actor: 'governance',
      }),
    );
  }

  private async proposalAccepted(
    em: EntityManager,
    e: EventEnvelope<ProposalAcceptedV1>,
  ): Promise<void> {
    const p = e.payload;
    const hubId = p.hub_id.toLowerCase();
    const notes = `agent proposal ${p.proposal_id} accepted${p.notes ? `: ${p.notes}` : ''}`;
    if (p.kind === 'duplicate_flag') {
      const id = (p.candidate_id as string).toLowerCase();
      const duplicateOf = (p.duplicate_of_id as string).toLowerCase();
      await CandidateRepository.lockInOrder(em, [id, duplicateOf]);
      const candidate = await CandidateRepository.find(em, id, true);
      if (!candidate || candidate.hub_id !== hubId) {
        throw new NonRetryableError(`candidate ${id} does not exist in hub ${hubId}`);
      }
      if (candidate.status === 'duplicate' && candidate.duplicate_of_id === duplicateOf) return;
      await this.refusedIsFinal(() =>
        this.triage.apply(em, candidate, {
          to: 'duplicate',
          notes,
          duplicateOfId: duplicateOf,
          requirementId: null,
          changedBy: p.accepted_by,
          actor: 'user',
          sourceProposalId: p.proposal_id.toLowerCase(),
        }),
      );
    } else if (p.kind === 'requirement_draft') {
      const widgetId = (p.source_widget_id as string).toLowerCase();
      // The read model, else ingestion; when neither knows the widget, its events may still
      // be on their way: retry (and dead-letter after the consumer's limit).
      const widget = await this.widgets.find(em, widgetId);
      if (!widget) throw new Error(`widget ${widgetId} is not known`);
      if (widget.hub_id !== hubId) {
        throw new NonRetryableError(`widget ${widgetId} is not in hub ${hubId}`);
      }
      const source =
        p.source_annotation_id || p.source_thread_id
          ? await this.refusedIsFinal(() =>
              this.candidates.resolveSource(
                em,
                p.source_annotation_id?.toLowerCase() ?? null,
                p.source_thread_id?.toLowerCase() ?? null,
                (h) => h === hubId,
              ),
            )
          : undefined;
      if (source && source.widgetId !== widgetId) {
        throw new NonRetryableError('the draft names sources on another widget');
      }
      await this.candidates.insert(em, {
        id: randomUUID(),
        hubId,
        title: (p.title as string).trim(),
        description: p.description as string,
        sourceWidgetId: widgetId,
        sourceThreadId: source?.threadId ?? null,
        sourceAnnotationId: source?.annotationId ?? null,
        sourceProposalId: p.proposal_id.toLowerCase(),
        category: p.category ?? source?.category ?? 'friction',
        severity: p.severity ?? source?.severity ?? 'medium',
        createdBy: p.accepted_by,
        createdAt: new Date(p.accepted_at),
      });
    }
    // Other kinds (summaries, policy flags, implementation proposals) do not act on triage.
  }

  /** Runs `work`; a domain refusal (the workflow says no) will not change on redelivery. */
  private async refusedIsFinal<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError) {
        throw new NonRetryableError(error.message, { cause: error });
      }
      throw error;
    }
  }
}
