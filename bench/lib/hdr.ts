/**
 * A log-bucketed latency histogram in the manner of HdrHistogram: values (microseconds) are
 * kept in buckets whose width is a fixed fraction of their magnitude (128 sub-buckets per
 * power of two, under 0.8% relative error), from 1 µs to about 1 hour.
 */
const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
const MAX_POW = 32;

export class Histogram {
  private readonly counts = new Float64Array((MAX_POW + 1) * SUB);
  count = 0;
  max = 0;
  min = Number.POSITIVE_INFINITY;
  private sum = 0;

  /** Records a value in microseconds (clamped to ≥ 1). */
  record(us: number): void {
    const v = Math.max(1, Math.round(us));
    this.counts[Histogram.index(v)] += 1;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The value at percentile `p` (0–100), in microseconds (upper edge of its bucket). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(Histogram.upper(i), this.max);
    }
    return this.max;
  }

  /** p50/p90/p99/p99.9 and max, in milliseconds. */
  summary(): { p50: number; p90: number; p99: number; p999: number; max: number; n: number } {
    const ms = (us: number) => Math.round(us / 10) / 100;
    return {
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      p999: ms(this.percentile(99.9)),
      max: ms(this.max),
      n: this.count,
    };
  }

  private static index(v: number): number {
    if (v < SUB) return v;
    const shift = Math.min(MAX_POW, 31 - Math.clz32(Math.min(v, 2 ** 31 - 1)) - SUB_BITS + 1);
    const m = Math.min(SUB - 1, Math.floor(v / 2 ** shift));
    return shift * SUB + m;
  }

  private static upper(i: number): number {
    const shift = Math.floor(i / SUB);
    const m = i % SUB;
    return shift === 0 ? m : (m + 1) * 2 ** shift - 1;
  }
}
