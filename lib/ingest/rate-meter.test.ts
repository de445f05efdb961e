import { describe, expect, it } from 'vitest';
import { RateMeter } from '@/lib/ingest/rate-meter';

describe('RateMeter', () => {
  it('averages complete seconds in the window and ignores the current one', () => {
    const m = new RateMeter(5);
    const t0 = 1_000_000_000;
    for (let s = 0; s < 5; s++) m.add(100 * (s + 1), t0 + s * 1000 + 10);
    m.add(9999, t0 + 5000 + 1); // current second: not counted yet
    expect(m.rate(t0 + 5000 + 500)).toBe((100 + 200 + 300 + 400 + 500) / 5);
  });

  it('forgets seconds that slid out of the window', () => {
    const m = new RateMeter(2);
    m.add(50, 10_000);
    expect(m.rate(11_000)).toBe(25);
    expect(m.rate(13_000)).toBe(0);
    m.add(10, 13_100);
    m.add(10, 14_100);
    expect(m.rate(15_000)).toBe(10);
  });
});
