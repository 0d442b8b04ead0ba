import { compareProportions, compareRates, normalCdf, Z_95 } from './outcome-statistics.js';

describe('outcome statistics', () => {
  it('has a normal CDF accurate to 1e-6 at known points', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(Z_95)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it('compares rates with the Poisson rate ratio and a log interval', () => {
    // 20 events in 10 h against 40 in 10 h: RR 2, se sqrt(1/20 + 1/40).
    const c = compareRates(20, 10, 40, 10, 10);
    const se = Math.sqrt(1 / 20 + 1 / 40);
    expect(c).toMatchObject({
      before: 2,
      after: 4,
      notEnoughData: false,
      test: 'poisson_rate_ratio',
    });
    expect(c.relativeChange).toBeCloseTo(1, 12);
    expect(c.ciLow).toBeCloseTo(2 * Math.exp(-Z_95 * se), 12);
    expect(c.ciHigh).toBeCloseTo(2 * Math.exp(Z_95 * se), 12);
    expect(c.pValue).toBeCloseTo(2 * (1 - normalCdf(Math.log(2) / se)), 9);
  });

  it('says not enough data below the minimum sample, in either window', () => {
    expect(compareRates(9, 10, 40, 10, 10)).toMatchObject({ notEnoughData: true, ciLow: null });
    expect(compareRates(40, 10, 9, 10, 10)).toMatchObject({ notEnoughData: true, pValue: null });
    expect(compareProportions(1, 9, 5, 100, 10)).toMatchObject({ notEnoughData: true });
  });

  it('compares proportions with the two-proportion z test', () => {
    const c = compareProportions(20, 100, 40, 100, 10);
    expect(c).toMatchObject({ before: 0.2, after: 0.4, test: 'two_proportion_z' });
    expect(c.ciLow).toBeCloseTo(0.2 - Z_95 * Math.sqrt(0.004), 12);
    expect(c.pValue).toBeCloseTo(2 * (1 - normalCdf(0.2 / Math.sqrt(0.3 * 0.7 * 0.02))), 9);
  });

  it('refuses a "proportion" with more successes than trials', () => {
    expect(compareProportions(30, 20, 10, 20, 10)).toMatchObject({ notEnoughData: true });
  });
});
