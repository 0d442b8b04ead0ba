import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { isUUID } from 'class-validator';
import { CONSUMERS, type EventEnvelope, type ProposalAcceptedV1, Subjects } from '@ihf/contracts';
import { EventConsumers, NonRetryableError } from '@ihf/messaging';
import { query } from '@ihf/persistence';
import { RequirementRepository } from '../requirements/requirement.repository.js';
import { DecisionRepository } from './decision.repository.js';
import { DecisionsService } from './decisions.service.js';

/**
 * Accepted agent proposals that act on governance: a `policy_flag` becomes a policy reference
 * on the named decision, an `impl_proposal` a work-item draft on the named decision or
 * requirement; each once per proposal (unique `source_proposal_id`). A proposal naming
 * something of another hub, or unknown here, is dead-lettered with the reason.
 */
@Injectable()
export class ProposalHandlers implements OnModuleInit {
  constructor(
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(DecisionsService) private readonly decisions: DecisionsService,
  ) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.governance_agents, {
      [Subjects.Agents.ProposalAcceptedV1]: (e, em) => this.accepted(em, e),
    });
  }

  private async accepted(em: EntityManager, e: EventEnvelope<ProposalAcceptedV1>): Promise<void> {
    const p = e.payload;
    const hubId = p.hub_id.toLowerCase();
    const proposalId = p.proposal_id.toLowerCase();
    if (p.kind === 'policy_flag') {
      const decision = await DecisionRepository.find(em, (p.decision_id as string).toLowerCase());
      if (!decision || decision.hub_id !== hubId) {
        throw new NonRetryableError(`decision ${p.decision_id} does not exist in hub ${hubId}`);
      }
      await this.decisions.insertPolicyReference(em, decision, {
        scope: (p.policy_scope as string).trim(),
        note: p.constraint_note ?? null,
        by: p.accepted_by,
        proposalId,
      });
    } else if (p.kind === 'impl_proposal') {
      // The contract checks decision_id only for policy_flag (and requirement_id only when
      // present): a draft needs a target, and a non-UUID id would fail its SQL cast on every
      // redelivery instead of being refused once.
      if (p.decision_id == null && p.requirement_id == null) {
        throw new NonRetryableError(
          `impl_proposal ${proposalId} names neither a decision nor a requirement`,
        );
      }
      if (p.decision_id != null && !isUUID(p.decision_id)) {
        throw new NonRetryableError(
          `impl_proposal ${proposalId}: decision_id ${JSON.stringify(p.decision_id).slice(0, 100)} is not a UUID`,
        );
      }
      const decisionId = p.decision_id?.toLowerCase() ?? null;
      const requirementId = p.requirement_id?.toLowerCase() ?? null;
      const target = decisionId
        ? await DecisionRepository.find(em, decisionId)
        : await RequirementRepository.find(em, requirementId as string);
      if (!target || target.hub_id !== hubId) {
        throw new NonRetryableError(
          `${decisionId ? `decision ${decisionId}` : `requirement ${requirementId}`} does not exist in hub ${hubId}`,
        );
      }
      await query(
        em,
        `insert into governance.work_item_drafts (hub_id, decision_id, requirement_id, title,
           description, system, source_proposal_id, created_by)
         values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (source_proposal_id) do nothing`,
        [
          hubId,
          decisionId,
          decisionId ? null : requirementId,
          (p.title as string).trim(),
          p.description as string,
          p.work_item_system ?? null,
          proposalId,
          p.accepted_by,
        ],
      );
    }
    // Other kinds act on triage (feedback) or nowhere.
  }
}
