import { Inject, Injectable, Optional } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import {
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';
import { type Logger } from '@ihf/messaging';
import { PINO_LOGGER } from '@ihf/observability';
import { ProposalWriter } from '../proposals/proposal-writer.js';
import { type ThreadAnnotation, type ThreadRow } from '../read-models/read-models.js';
import { LlmError } from './llm.errors.js';
import { type LanguageModel } from './llm-provider.js';

/** Injection token of the configured {@link LanguageModel} (null: none configured). */
export const LANGUAGE_MODEL = Symbol('LANGUAGE_MODEL');

/** What the model must answer (validated before anything is stored). */
export const DRAFT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'description', 'category', 'severity', 'confidence'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 300 },
    description: { type: 'string', minLength: 1, maxLength: 5000 },
    category: { enum: [...ANNOTATION_CATEGORIES] },
    severity: { enum: [...SEVERITIES] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

interface DraftAnswer {
  title: string;
  description: string;
  category: AnnotationCategory;
  severity: Severity;
  confidence: number;
}

/**
 * `llm:requirement-drafts`: asks the configured language model for a requirement draft from a
 * thread's annotations (model_ref `llm/<model>`). Confidence = the model's own statement, which
 * the scorecard's calibration then checks against people's decisions. A model that is
 * unavailable, over budget, refusing or answering out of schema proposes nothing; the event is
 * still handled, and the built-in draft is proposed instead.
 */
@Injectable()
export class LlmDraftsAgent {
  constructor(
    @Inject(ProposalWriter) private readonly writer: ProposalWriter,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(LANGUAGE_MODEL) private readonly model: LanguageModel | null,
  ) {}

  get enabled(): boolean {
    return !!this.model;
  }

  /** Proposes the model's draft; false when there is none (no model, or no usable answer). */
  async draft(
    em: EntityManager,
    thread: ThreadRow,
    annotations: ThreadAnnotation[],
  ): Promise<boolean> {
    if (!this.model) return false;
    let answer: DraftAnswer;
    try {
      answer = (
        await this.model.complete<DraftAnswer>(em, thread.hub_id, {
          instructions:
            'You draft one product requirement from user feedback on a UI widget. Be concrete and short; do not invent facts that the feedback does not state.',
          userText: [
            `Thread: ${thread.title}`,
            ...annotations.slice(0, 30).map((a) => `- ${a.body}`),
          ].join('\n'),
          schema: DRAFT_SCHEMA,
        })
      ).value;
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      this.logger.warn(
        { thread_id: thread.id, reason: err.reason, err: err.message },
        'llm: no draft',
      );
      return false;
    }
    await this.writer.write(em, {
      origin: 'llm',
      agent: 'llm:requirement-drafts',
      modelRef: `llm/${this.model.model}`,
      hubId: thread.hub_id,
      kind: 'requirement_draft',
      sources: {
        widgetId: thread.widget_id,
        threadId: thread.id,
        candidateId: null,
        decisionId: null,
        requirementId: null,
      },
      content: `Draft requirement (language model) from thread "${thread.title}": ${answer.title}`,
      details: {
        title: answer.title,
        description: answer.description,
        category: answer.category,
        severity: answer.severity,
        source_widget_id: thread.widget_id,
        source_thread_id: thread.id,
        source_annotation_id: annotations[0]?.id ?? null,
      },
      confidence: answer.confidence,
      dimensions: [
        {
          dimension: 'accuracy',
          score: answer.confidence,
          explanation: "The model's own statement",
        },
      ],
      submittedBy: null,
    });
    return true;
  }
}
