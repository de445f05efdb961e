import { describe, expect, it } from 'vitest';
import { LagHistogram } from '@/lib/ingest/lag-histogram';

describe('LagHistogram', () => {
  it('is empty at first', () => {
    const h = new LagHistogram();
    expect(h.snapshot()).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null, mean: null, overflow: 0 });
  });

  it('gives nearest-rank percentiles for 1..100 ms', () => {
    const h = new LagHistogram();
    // Shuffled insertion order must not matter.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    for (const v of values) h.record(v);
    const s = h.snapshot();
    expect(s.count).toBe(100);
    expect(s.p50).toBe(50);
    expect(s.p95).toBe(95);
    expect(s.p99).toBe(99);
    expect(s.max).toBe(100);
    expect(s.mean).toBeCloseTo(50.5, 6);
  });

  it('weights samples by count (events of one message share a lag)', () => {
    const h = new LagHistogram();
    h.record(10, 98);
    h.record(900, 2);
    expect(h.percentile(0.5)).toBe(10);
    expect(h.percentile(0.98)).toBe(10);
    expect(h.percentile(0.99)).toBe(900);
  });

  it('rounds fractional lags up and clamps negative ones to 0', () => {
    const h = new LagHistogram();
    h.record(0.2);
    h.record(-5);
    expect(h.percentile(1)).toBe(1);
    expect(h.percentile(0.5)).toBe(0);
  });

  it('counts samples above the ceiling and keeps their max', () => {
    const h = new LagHistogram(1000);
    h.record(5);
    h.record(5000);
    const s = h.snapshot();
    expect(s.overflow).toBe(1);
    expect(s.p99).toBe(1000);
    expect(s.max).toBe(5000);
  });

  it('rejects out-of-range percentiles and resets', () => {
    const h = new LagHistogram();
    h.record(3);
    expect(() => h.percentile(0)).toThrow(/percentile/);
    expect(() => h.percentile(1.5)).toThrow(/percentile/);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.percentile(0.5)).toBeNull();
  });
});
