import { bucketOf, type OutcomeGroup, scorecardOf } from './calibration.js';

/** Groups of single proposals, as the SQL would return them for these reviews. */
function groupsOf(
  reviews: { confidence: number; decision: 'accepted' | 'modified' | 'rejected' | null }[],
): OutcomeGroup[] {
  return reviews.map(({ confidence, decision }) => {
    const outcome = decision === null ? null : decision === 'rejected' ? 0 : 1;
    return {
      status: decision === null ? 'pending' : decision === 'rejected' ? 'rejected' : 'accepted',
      decision,
      bucket: bucketOf(confidence),
      n: 1,
      sumConfidence: confidence,
      sumSquaredError: outcome === null ? 0 : (confidence - outcome) ** 2,
    };
  });
}

describe('scorecard and calibration', () => {
  it('buckets confidences in tenths, 1 in the last', () => {
    expect([0, 0.05, 0.1, 0.55, 0.99, 1].map(bucketOf)).toEqual([0, 0, 1, 5, 9, 9]);
  });

  it('computes counts, acceptance, Brier score and reliability on a known set', () => {
    const card = scorecardOf(
      groupsOf([
        { confidence: 0.9, decision: 'accepted' }, // (0.1)² = 0.01
        { confidence: 0.9, decision: 'modified' }, // 0.01
        { confidence: 0.9, decision: 'rejected' }, // 0.81
        { confidence: 0.2, decision: 'rejected' }, // 0.04
        { confidence: 0.5, decision: null }, // pending: not scored
      ]),
    );
    expect(card).toMatchObject({
      proposals: 5,
      pending: 1,
      accepted: 1,
      modified: 1,
      rejected: 2,
      acceptance_rate: 0.5,
      brier_score: 0.2175, // (0.01 + 0.01 + 0.81 + 0.04) / 4
    });
    expect(card.calibration).toEqual([
      { lower: 0.2, upper: 0.3, reviewed: 1, mean_confidence: 0.2, acceptance_rate: 0 },
      { lower: 0.9, upper: 1, reviewed: 3, mean_confidence: 0.9, acceptance_rate: 0.6667 },
    ]);
    // ECE: 1/4·|0.2 − 0| + 3/4·|0.9 − 0.6667| = 0.05 + 0.175 = 0.225
    expect(card.expected_calibration_error).toBeCloseTo(0.225, 3);
  });

  it('has no scores before any review', () => {
    const card = scorecardOf(groupsOf([{ confidence: 0.7, decision: null }]));
    expect(card).toMatchObject({ brier_score: null, acceptance_rate: null, calibration: [] });
  });

  it('scores a perfectly confident, always right agent 0', () => {
    const card = scorecardOf(
      groupsOf([
        { confidence: 1, decision: 'accepted' },
        { confidence: 0, decision: 'rejected' },
      ]),
    );
    expect(card.brier_score).toBe(0);
    expect(card.expected_calibration_error).toBe(0);
  });
});
