import { describe, expect, it } from 'vitest';
import { hourOf, hoursToAggregate, inWindow, lastClosedHour, nextAsOf, planWindowUpdate } from '@/lib/baseline/windows';

const H = 3_600_000_000;

describe('baseline windows', () => {
  it('a window of W hours as of A covers (A - W, A]', () => {
    expect(inWindow(100, 100, 24)).toBe(true);
    expect(inWindow(77, 100, 24)).toBe(true);
    expect(inWindow(76, 100, 24)).toBe(false);
    expect(inWindow(101, 100, 24)).toBe(false);
  });

  it('the first hour starts the window', () => {
    expect(planWindowUpdate(10, null, 24)).toEqual({ applyHour: true, expire: [] });
  });

  it('the next hour moves the window by one and expires exactly one hour', () => {
    expect(planWindowUpdate(101, 100, 24)).toEqual({ applyHour: true, expire: [77] });
  });

  it('a jump expires every hour that leaves, and at most the whole window', () => {
    expect(planWindowUpdate(103, 100, 24).expire).toEqual([77, 78, 79]);
    const far = planWindowUpdate(1000, 100, 24);
    expect(far.expire).toHaveLength(24);
    expect(far.expire[0]).toBe(77);
    expect(far.expire[23]).toBe(100);
  });

  it('recomputing an hour inside the window replaces it; older hours change nothing', () => {
    expect(planWindowUpdate(90, 100, 24)).toEqual({ applyHour: true, expire: [] });
    expect(planWindowUpdate(76, 100, 24)).toEqual({ applyHour: false, expire: [] });
    expect(planWindowUpdate(100, 100, 24)).toEqual({ applyHour: true, expire: [] });
  });

  it('as-of only moves forward', () => {
    expect(nextAsOf(5, null)).toBe(5);
    expect(nextAsOf(5, 9)).toBe(9);
    expect(nextAsOf(12, 9)).toBe(12);
  });

  it('an hour is closed once event time passed its end by the grace period', () => {
    const grace = 10 * 60 * 1_000_000;
    // newest event at 11:09:59 of hour 11 -> hour 10 still open (its end + grace = 11:10)
    expect(lastClosedHour(11 * H + 9 * 60_000_000 + 59_000_000, grace)).toBe(9);
    expect(lastClosedHour(11 * H + 10 * 60_000_000, grace)).toBe(10);
    expect(hourOf(-1)).toBe(-1);
  });

  it('picks closed hours that are new or whose ingest count changed, oldest first', () => {
    const todo = hoursToAggregate(
      [
        { hour: 12, windowEvents: 5 },
        { hour: 10, windowEvents: 7 },
        { hour: 11, windowEvents: 3 },
        { hour: 9, windowEvents: null },
        { hour: 8, windowEvents: null },
      ],
      [
        { hour: 10, windowEvents: 7 },
        { hour: 11, windowEvents: 2 },
        { hour: 8, windowEvents: 4 },
      ],
      11,
    );
    expect(todo.map((t) => t.hour)).toEqual([9, 11]);
  });
});
