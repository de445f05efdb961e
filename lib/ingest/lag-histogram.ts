// End-to-end ingest lag (event received → row committed) as a fixed-bucket histogram:
// 1 ms buckets up to a ceiling, so recording is O(1) at 50k+ events/s and percentiles are exact
// to the millisecond. Values above the ceiling land in an overflow bucket (their max is kept).

export interface LagSnapshot {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
  /** Samples above the bucket ceiling (reported at the ceiling by percentiles). */
  overflow: number;
}

export class LagHistogram {
  private readonly buckets: Float64Array;
  private total = 0;
  private sum = 0;
  private maxSeen = -Infinity;
  private above = 0;

  constructor(private readonly ceilingMs = 120_000) {
    if (!Number.isInteger(ceilingMs) || ceilingMs < 1) throw new Error('ceilingMs must be a positive integer');
    this.buckets = new Float64Array(ceilingMs + 1);
  }

  /** Record `count` samples of `lagMs` (events of one message share a receive time). */
  record(lagMs: number, count = 1): void {
    if (!Number.isFinite(lagMs) || count <= 0) return;
    // Clock steps can make a lag negative; it is still "no measurable lag", not an error.
    const v = Math.max(0, Math.ceil(lagMs));
    if (v > this.ceilingMs) {
      this.above += count;
      this.buckets[this.ceilingMs] = (this.buckets[this.ceilingMs] ?? 0) + count;
    } else {
      this.buckets[v] = (this.buckets[v] ?? 0) + count;
    }
    this.total += count;
    this.sum += Math.max(0, lagMs) * count;
    if (lagMs > this.maxSeen) this.maxSeen = Math.max(0, lagMs);
  }

  get count(): number {
    return this.total;
  }

  /** Nearest-rank percentile in ms (q in (0, 1]); null when empty. */
  percentile(q: number): number | null {
    if (this.total === 0) return null;
    if (!(q > 0 && q <= 1)) throw new Error(`percentile must be in (0, 1], got ${q}`);
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return i;
    }
    return this.ceilingMs;
  }

  snapshot(): LagSnapshot {
    const empty = this.total === 0;
    return {
      count: this.total,
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      max: empty ? null : this.maxSeen,
      mean: empty ? null : this.sum / this.total,
      overflow: this.above,
    };
  }

  reset(): void {
    this.buckets.fill(0);
    this.total = 0;
    this.sum = 0;
    this.maxSeen = -Infinity;
    this.above = 0;
  }
}
