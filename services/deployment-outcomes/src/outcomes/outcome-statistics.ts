/**
 * The standard tests behind outcome signals (README, "Statistics"): pure functions.
 *
 * - Rates (events per hour, annotations per 1,000 views): the Poisson rate ratio
 *   RR = (a/Ta)/(b/Tb), with the Wald interval on log RR (se = sqrt(1/a + 1/b)) and its z test.
 * - Proportions (submitted per viewed, the share of a severity): the two-proportion z test
 *   (pooled standard error) and the Wald interval of the difference (unpooled).
 * Below the minimum sample (either window) a signal says "not enough data" instead.
 */

/** 97.5th percentile of the standard normal: 95 % two-sided intervals. */
export const Z_95 = 1.959963984540054;

export interface Comparison {
  readonly before: number | null;
  readonly after: number | null;
  /** (after - before) / before. */
  readonly relativeChange: number | null;
  /** 95 % interval of the rate ratio (rates) or of the difference after - before (proportions). */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly pValue: number | null;
  readonly test: 'poisson_rate_ratio' | 'two_proportion_z';
  readonly notEnoughData: boolean;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const twoSided = (z: number): number => Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));

/**
 * Compares `before` events over exposure `tBefore` with `after` events over `tAfter`.
 * `scale` turns a rate into the unit shown (e.g. 1,000 for "per 1,000 views").
 */
export function compareRates(
  before: number,
  tBefore: number,
  after: number,
  tAfter: number,
  minSample: number,
  scale = 1,
): Comparison {
  const rb = tBefore > 0 ? (before / tBefore) * scale : null;
  const ra = tAfter > 0 ? (after / tAfter) * scale : null;
  const empty: Comparison = {
    before: rb,
    after: ra,
    relativeChange: null,
    ciLow: null,
    ciHigh: null,
    pValue: null,
    test: 'poisson_rate_ratio',
    notEnoughData: true,
  };
  if (before < minSample || after < minSample || rb === null || ra === null) return empty;
  const logRr = Math.log(ra / rb);
  const se = Math.sqrt(1 / before + 1 / after);
  return {
    ...empty,
    relativeChange: ra / rb - 1,
    ciLow: Math.exp(logRr - Z_95 * se),
    ciHigh: Math.exp(logRr + Z_95 * se),
    pValue: twoSided(logRr / se),
    notEnoughData: false,
  };
}

/** Compares the proportion x1/n1 (before) with x2/n2 (after). */
export function compareProportions(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  minSample: number,
): Comparison {
  const p1 = n1 > 0 ? x1 / n1 : null;
  const p2 = n2 > 0 ? x2 / n2 : null;
  const empty: Comparison = {
    before: p1,
    after: p2,
    relativeChange: null,
    ciLow: null,
    ciHigh: null,
    pValue: null,
    test: 'two_proportion_z',
    notEnoughData: true,
  };
  if (n1 < minSample || n2 < minSample || p1 === null || p2 === null) return empty;
  // Not a proportion (more "successes" than trials): nothing a proportion test can say.
  if (x1 > n1 || x2 > n2) return empty;
  const pooled = (x1 + x2) / (n1 + n2);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const diff = p2 - p1;
  return {
    ...empty,
    relativeChange: p1 > 0 ? p2 / p1 - 1 : null,
    ciLow: diff - Z_95 * se,
    ciHigh: diff + Z_95 * se,
    pValue: sePooled > 0 ? twoSided(diff / sePooled) : 1,
    notEnoughData: false,
  };
}
