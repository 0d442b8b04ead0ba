import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { type AnnotationCategory, SEVERITIES, type Severity } from '@ihf/contracts';
import { LlmDraftsAgent } from '../llm/llm-drafts.agent.js';
import { ProposalWriter } from '../proposals/proposal-writer.js';
import { ReadModels } from '../read-models/read-models.js';
import { builtin, clamp, sources } from './builtin.js';
import { summarise, truncate } from './text/extractive.js';

/** A thread is summarised from this many annotations with a known body. */
export const SUMMARY_MIN_ANNOTATIONS = 2;
/** A requirement is drafted from this many. */
export const DRAFT_MIN_ANNOTATIONS = 3;

/**
 * The agents that read a thread whenever it changes (an annotation's body or membership
 * arrives): each new proposal supersedes its pending predecessor for the thread.
 *
 * - `ihf-builtin/summaries@1`: the thread's 3 most representative sentences (extractive).
 *   Confidence = the share of the thread's distinct content words those sentences contain,
 *   within [0.05, 0.95]: what the summary leaves out, it cannot vouch for.
 * - `ihf-builtin/requirement-drafts@1`: a requirement candidate drafted from the thread: title
 *   from its most representative sentence, description from its summary and quotes, the
 *   majority category, the highest severity. Confidence = category agreement (share of the
 *   annotations in the majority category) × min(1, annotations / 5). When a language model
 *   is configured it drafts instead (`LlmDraftsAgent`), this heuristic being the fallback.
 */
@Injectable()
export class ThreadAgents {
  constructor(
    @Inject(ProposalWriter) private readonly writer: ProposalWriter,
    @Inject(LlmDraftsAgent) private readonly llm: LlmDraftsAgent,
  ) {}

  async threadChanged(em: EntityManager, threadId: string): Promise<void> {
    await ReadModels.lock(em, 'thread', threadId);
    const thread = await ReadModels.findThread(em, threadId);
    if (!thread) return; // Its thread.created will come and run the agents again.
    const annotations = await ReadModels.threadAnnotations(em, threadId);
    if (annotations.length < SUMMARY_MIN_ANNOTATIONS) return;
    const bodies = annotations.map((a) => a.body);
    const summary = summarise(bodies, 3);
    if (!summary.sentences.length) return;
    const src = sources({ threadId: thread.id, widgetId: thread.widget_id });
    await this.writer.write(em, {
      ...builtin('summaries'),
      hubId: thread.hub_id,
      kind: 'summary',
      sources: src,
      content: `Thread "${thread.title}" (${annotations.length} annotations): ${summary.sentences.join(' ')}`,
      details: {},
      confidence: clamp(summary.coverage, 0.05, 0.95),
      dimensions: [
        {
          dimension: 'completeness',
          score: clamp(summary.coverage),
          explanation: "Share of the thread's distinct content words in the summary",
        },
      ],
      submittedBy: null,
    });

    if (annotations.length < DRAFT_MIN_ANNOTATIONS) return;
    // A configured language model drafts instead; without one (or without a usable answer)
    // the built-in heuristic does.
    if (await this.llm.draft(em, thread, annotations)) return;
    const categories = new Map<string, number>();
    for (const a of annotations) {
      if (a.category) categories.set(a.category, (categories.get(a.category) ?? 0) + 1);
    }
    const [category, votes] = [...categories.entries()].sort((a, b) => b[1] - a[1])[0] ?? [
      'friction',
      0,
    ];
    const severity = annotations
      .map((a) => a.severity as Severity | null)
      .filter((s): s is Severity => s !== null && (SEVERITIES as readonly string[]).includes(s))
      .sort((a, b) => SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a))[0];
    const agreement = votes / annotations.length;
    const top = summarise(bodies, 1).sentences[0] ?? thread.title;
    await this.writer.write(em, {
      ...builtin('requirement-drafts'),
      hubId: thread.hub_id,
      kind: 'requirement_draft',
      sources: src,
      content: `Draft requirement from thread "${thread.title}": ${truncate(top, 300)}`,
      details: {
        title: truncate(top.replace(/[.!?]+$/, ''), 300),
        description: [
          `From the thread "${thread.title}" (${annotations.length} annotations).`,
          '',
          `Summary: ${summary.sentences.join(' ')}`,
          '',
          ...annotations.slice(0, 10).map((a) => `> ${truncate(a.body.replace(/\s+/g, ' '), 500)}`),
        ].join('\n'),
        category: category as AnnotationCategory,
        ...(severity ? { severity } : {}),
        source_widget_id: thread.widget_id,
        source_thread_id: thread.id,
        source_annotation_id: annotations[0].id,
      },
      confidence: clamp(agreement * Math.min(1, annotations.length / 5)),
      dimensions: [
        {
          dimension: 'accuracy',
          score: clamp(agreement),
          explanation: `${votes} of ${annotations.length} annotations are "${category}"`,
        },
        {
          dimension: 'completeness',
          score: clamp(annotations.length / 5),
          explanation: 'Evidence: annotations in the thread, 5 or more counts fully',
        },
      ],
      submittedBy: null,
    });
  }
}
