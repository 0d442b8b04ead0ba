import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { type DecisionRecordedV1, type RequirementPromotedV1 } from '@ihf/contracts';
import { ProposalWriter } from '../proposals/proposal-writer.js';
import { ReadModels } from '../read-models/read-models.js';
import { builtin, clamp, sources } from './builtin.js';
import { truncate } from './text/extractive.js';
import { matchPolicies } from './text/policy-rules.js';

/**
 * The agents that read governance's events.
 *
 * - `ihf-builtin/policy-flags@1`: a decision (not a rejection) whose title, or whose
 *   candidate's title and description, trigger a policy rule (personal data, accessibility,
 *   security) is flagged with the rule that found most terms. Confidence = 0.4 + 0.15 per
 *   term found (at most 0.85), + 0.1 when the widget's own policy scope names the same area.
 * - `ihf-builtin/implementation@1`: a promoted requirement gets a work-item draft (title,
 *   description with the candidate's text and a checklist). Confidence = 0.5, + 0.2 when the
 *   candidate's description says more than a sentence (> 80 characters): a template is only
 *   as good as what it is filled with.
 */
@Injectable()
export class GovernanceAgents {
  constructor(@Inject(ProposalWriter) private readonly writer: ProposalWriter) {}

  async decisionRecorded(em: EntityManager, hubId: string, d: DecisionRecordedV1): Promise<void> {
    if (d.outcome === 'rejected') return;
    const candidate = d.candidate_id
      ? await ReadModels.candidate(em, d.candidate_id.toLowerCase())
      : undefined;
    const text = [d.title, candidate?.title, candidate?.description].filter(Boolean).join('\n');
    const [best] = matchPolicies(text);
    if (!best) return;
    const widgetScope = candidate?.source_widget_id
      ? (await ReadModels.widgetPolicyScope(em, candidate.source_widget_id))?.policy_scope
      : null;
    const scopeAgrees =
      !!widgetScope && widgetScope.toLowerCase().includes(best.rule.scope.split('-')[0]);
    const confidence = clamp(
      Math.min(0.85, 0.4 + 0.15 * best.terms.length) + (scopeAgrees ? 0.1 : 0),
    );
    await this.writer.write(em, {
      ...builtin('policy-flags'),
      hubId,
      kind: 'policy_flag',
      sources: sources({
        decisionId: d.decision_id.toLowerCase(),
        candidateId: candidate?.id ?? null,
        widgetId: candidate?.source_widget_id ?? null,
      }),
      content: `Decision "${truncate(d.title, 200)}" touches ${best.rule.scope} (${best.terms.join(', ')}). ${best.rule.note}`,
      details: {
        decision_id: d.decision_id.toLowerCase(),
        policy_scope: best.rule.scope,
        constraint_note: best.rule.note,
      },
      confidence,
      dimensions: [
        {
          dimension: 'policy_alignment',
          score: confidence,
          explanation: `Terms found: ${best.terms.join(', ')}${widgetScope ? `; widget policy scope "${widgetScope}"` : ''}`,
        },
      ],
      submittedBy: null,
    });
  }

  async requirementPromoted(em: EntityManager, r: RequirementPromotedV1): Promise<void> {
    const candidate = await ReadModels.candidate(em, r.candidate_id.toLowerCase());
    const title = r.title ?? candidate?.title;
    if (!title) return; // Nothing to draft from; a person will write the work item.
    const description = candidate?.description ?? '';
    const detailed = description.length > 80;
    const confidence = clamp(0.5 + (detailed ? 0.2 : 0));
    await this.writer.write(em, {
      ...builtin('implementation'),
      hubId: r.hub_id.toLowerCase(),
      kind: 'impl_proposal',
      sources: sources({
        requirementId: r.requirement_id.toLowerCase(),
        widgetId: candidate?.source_widget_id ?? null,
      }),
      content: `Work item for requirement "${truncate(title, 200)}".`,
      details: {
        title: truncate(`Implement: ${title}`, 300),
        description: [
          description || title,
          '',
          '- [ ] Change the widget as the requirement says',
          '- [ ] Tell the people who reported it (their threads)',
          '- [ ] Record the deployment so its outcome is measured',
        ].join('\n'),
        work_item_system: null,
        requirement_id: r.requirement_id.toLowerCase(),
        decision_id: null,
      },
      confidence,
      dimensions: [
        {
          dimension: 'completeness',
          score: detailed ? 0.7 : 0.4,
          explanation: detailed ? "From the candidate's description" : 'From the title only',
        },
      ],
      submittedBy: null,
    });
  }
}
