import { type ProposalStatus, type ReviewDecision } from '@ihf/contracts';

/** Confidence buckets of the reliability table: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
export const CALIBRATION_BUCKETS = 10;

/** The bucket of a confidence (1 belongs to the last one). */
export function bucketOf(confidence: number): number {
  return Math.min(Math.floor(confidence * CALIBRATION_BUCKETS), CALIBRATION_BUCKETS - 1);
}

/**
 * Proposals of one agent, model and kind that share a status, review decision and confidence
 * bucket: `n` of them, the sum of their confidences and of their squared errors (confidence
 * minus outcome, where accepted or modified is 1 and rejected 0; unreviewed ones have none).
 */
export interface OutcomeGroup {
  readonly status: ProposalStatus;
  readonly decision: ReviewDecision | null;
  readonly bucket: number;
  readonly n: number;
  readonly sumConfidence: number;
  readonly sumSquaredError: number;
}

/** One row of the reliability table. */
export interface CalibrationBucket {
  readonly lower: number;
  readonly upper: number;
  /** Reviewed proposals whose stated confidence falls in [lower, upper). */
  readonly reviewed: number;
  readonly mean_confidence: number;
  /** Share of them that people accepted (as is or modified). */
  readonly acceptance_rate: number;
}

/** How an agent fared with people, and how well its confidence predicted that. */
export interface Scorecard {
  readonly proposals: number;
  readonly pending: number;
  readonly superseded: number;
  readonly accepted: number;
  readonly modified: number;
  readonly rejected: number;
  /** (accepted + modified) / reviewed; null before any review. */
  readonly acceptance_rate: number | null;
  /** Mean squared difference between stated confidence and the decision (0 best, 1 worst). */
  readonly brier_score: number | null;
  /** Expected calibration error: the reviewed-weighted mean |confidence − acceptance| per bucket. */
  readonly expected_calibration_error: number | null;
  readonly calibration: CalibrationBucket[];
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

/** The scorecard of one agent, model and kind from its outcome groups. */
export function scorecardOf(groups: readonly OutcomeGroup[]): Scorecard {
  const count = (pred: (g: OutcomeGroup) => boolean): number =>
    groups.filter(pred).reduce((s, g) => s + g.n, 0);
  const accepted = count((g) => g.decision === 'accepted');
  const modified = count((g) => g.decision === 'modified');
  const rejected = count((g) => g.decision === 'rejected');
  const reviewed = accepted + modified + rejected;
  const reviewedGroups = groups.filter((g) => g.decision !== null);
  const calibration: CalibrationBucket[] = [];
  for (let b = 0; b < CALIBRATION_BUCKETS; b++) {
    const inBucket = reviewedGroups.filter((g) => g.bucket === b);
    const n = inBucket.reduce((s, g) => s + g.n, 0);
    if (!n) continue;
    const yes = inBucket.filter((g) => g.decision !== 'rejected').reduce((s, g) => s + g.n, 0);
    calibration.push({
      lower: b / CALIBRATION_BUCKETS,
      upper: (b + 1) / CALIBRATION_BUCKETS,
      reviewed: n,
      mean_confidence: round4(inBucket.reduce((s, g) => s + g.sumConfidence, 0) / n),
      acceptance_rate: round4(yes / n),
    });
  }
  const sse = reviewedGroups.reduce((s, g) => s + g.sumSquaredError, 0);
  return {
    proposals: count(() => true),
    pending: count((g) => g.status === 'pending'),
    superseded: count((g) => g.status === 'superseded'),
    accepted,
    modified,
    rejected,
    acceptance_rate: reviewed ? round4((accepted + modified) / reviewed) : null,
    brier_score: reviewed ? round4(sse / reviewed) : null,
    expected_calibration_error: reviewed
      ? round4(
          calibration.reduce(
            (s, c) => s + (c.reviewed / reviewed) * Math.abs(c.mean_confidence - c.acceptance_rate),
            0,
          ),
        )
      : null,
    calibration,
  };
}
