import { type NewProposal } from '../proposals/proposal-writer.js';

/** The model_ref and agent name of a built-in agent: `ihf-builtin/<name>@<version>`. */
export function builtin(
  name: string,
  version = 1,
): Pick<NewProposal, 'origin' | 'agent' | 'modelRef'> {
  return {
    origin: 'builtin',
    agent: `builtin:${name}`,
    modelRef: `ihf-builtin/${name}@${version}`,
  };
}

/** Clamps to [min, max] and rounds to three decimals (what the column keeps). */
export function clamp(n: number, min = 0, max = 1): number {
  return Math.round(Math.min(max, Math.max(min, n)) * 1000) / 1000;
}

/** Sources with only the given ones set. */
export function sources(s: Partial<NewProposal['sources']>): NewProposal['sources'] {
  return {
    widgetId: s.widgetId ?? null,
    candidateId: s.candidateId ?? null,
    threadId: s.threadId ?? null,
    decisionId: s.decisionId ?? null,
    requirementId: s.requirementId ?? null,
  };
}
