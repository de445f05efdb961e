// Log-bucketed histogram of small counts (peers or collectors per hour), pure. Exact below 16,
// then 8 buckets per power of two (within 12.5 %). Buckets are mergeable and subtractable,
// which a rolling window needs (a plain running max cannot forget the hour that set it).

const EXACT = 16;
const SUB = 8;

export function bucketOf(value: number): number {
  const v = Math.max(0, Math.floor(value));
  if (v < EXACT) return v;
  const e = 31 - Math.clz32(v); // floor(log2 v) >= 4
  const sub = (v >>> (e - 3)) & (SUB - 1);
  return EXACT + (e - 4) * SUB + sub;
}

/** Smallest value that falls in the bucket. */
export function bucketLow(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const e = Math.floor((bucket - EXACT) / SUB) + 4;
  const sub = (bucket - EXACT) % SUB;
  return (SUB + sub) * 2 ** (e - 3);
}

/** Median (lower median) and max of a histogram given as bucket -> count; 0 when empty. */
export function histogramMedianMax(buckets: ReadonlyMap<number, number>): { median: number; max: number } {
  const sorted = [...buckets.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return { median: 0, max: 0 };
  const half = Math.ceil(total / 2);
  let acc = 0;
  let median = 0;
  for (const [b, n] of sorted) {
    acc += n;
    if (acc >= half) {
      median = bucketLow(b);
      break;
    }
  }
  return { median, max: bucketLow(sorted[sorted.length - 1]![0]) };
}
