import { describe, expect, it } from 'vitest';
import { bucketLow, bucketOf, histogramMedianMax } from '@/lib/baseline/histogram';

describe('count histogram', () => {
  it('is exact below 16 and within 12.5 % above', () => {
    for (let v = 0; v < 16; v++) expect(bucketLow(bucketOf(v))).toBe(v);
    for (const v of [16, 17, 18, 31, 32, 100, 1499, 1500, 65_000]) {
      const low = bucketLow(bucketOf(v));
      expect(low).toBeLessThanOrEqual(v);
      expect((v - low) / v).toBeLessThan(0.125);
    }
  });

  it('buckets are monotonic', () => {
    let prev = -1;
    for (let v = 0; v < 5000; v++) {
      const b = bucketOf(v);
      expect(b).toBeGreaterThanOrEqual(prev);
      prev = b;
    }
  });

  it('median and max', () => {
    expect(histogramMedianMax(new Map())).toEqual({ median: 0, max: 0 });
    const h = new Map([
      [bucketOf(3), 2],
      [bucketOf(5), 1],
      [bucketOf(9), 1],
    ]);
    expect(histogramMedianMax(h)).toEqual({ median: 3, max: 9 });
    h.set(bucketOf(5), 2);
    expect(histogramMedianMax(h)).toEqual({ median: 5, max: 9 });
  });
});
