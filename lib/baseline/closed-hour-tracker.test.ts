import { describe, expect, it } from 'vitest';
import { ClosedHourTracker } from '@/lib/baseline/closed-hour-tracker';

const H = 3_600_000_000; // one hour in µs
const GRACE = 600_000_000; // 10 min
const at = (us: number) => [{ timestampUs: us }];

describe('ClosedHourTracker', () => {
  it('reports an hour once, when event time passes its end plus the grace', () => {
    const t = new ClosedHourTracker(GRACE);
    expect(t.observe(at(10 * H + GRACE + 5))).toBeNull(); // first batch: sets the mark (hour 9 closed before it)
    expect(t.observe(at(11 * H + GRACE - 1))).toBeNull(); // hour 10 ended, grace not over
    expect(t.observe(at(11 * H + GRACE))).toBe(10);
    expect(t.observe(at(11 * H + GRACE + 1))).toBeNull(); // already reported
    expect(t.observe(at(10 * H))).toBeNull(); // late event: time does not go back
    // A jump over several hours reports the newest; the scan enqueues every hour not aggregated.
    expect(t.observe([{ timestampUs: 12 * H }, { timestampUs: 14 * H + GRACE }])).toBe(13);
    expect(t.observe([])).toBeNull();
  });
});
