// Event-time window arithmetic of the baselines (pure). A window of W hours as of hour A covers
// the hours (A - W, A]. Hours are whole hours since the epoch.

export const HOUR_US = 3_600_000_000;

export function hourOf(us: number): number {
  return Math.floor(us / HOUR_US);
}

export function hourStartUs(hour: number): number {
  return hour * HOUR_US;
}

export function inWindow(hour: number, asOfHour: number, windowHours: number): boolean {
  return hour <= asOfHour && hour > asOfHour - windowHours;
}

/** What one newly (re)aggregated hour changes in one window's rolling sums. */
export interface WindowPlan {
  /** Apply (new - old) of this hour: it is inside the window after the step. */
  applyHour: boolean;
  /** Hours leaving the window (subtract what is stored for them), ascending. */
  expire: number[];
}

/**
 * The rolling update for aggregating `hour` when the state is as of `asOfHour` (null: nothing
 * aggregated yet). An hour older than the window changes nothing; an hour inside it is replaced
 * (old subtracted, new added); a newer hour moves the window forward, expiring the hours that fall
 * out, so the sums always equal the stored hours of the window and never need a rescan.
 */
export function planWindowUpdate(hour: number, asOfHour: number | null, windowHours: number): WindowPlan {
  if (asOfHour === null || hour <= asOfHour) {
    return { applyHour: asOfHour === null || inWindow(hour, asOfHour, windowHours), expire: [] };
  }
  // The window held (asOf - W, asOf]; what of it is at or before hour - W leaves. At most W
  // hours, however far the jump.
  const to = Math.min(asOfHour, hour - windowHours);
  const expire: number[] = [];
  for (let h = asOfHour - windowHours + 1; h <= to; h++) expire.push(h);
  return { applyHour: true, expire };
}

export function nextAsOf(hour: number, asOfHour: number | null): number {
  return asOfHour === null ? hour : Math.max(hour, asOfHour);
}

/**
 * Closed hours: an hour is closed once event time (the newest event seen) has passed its end by
 * the grace period, so late events of a live feed are in before it is aggregated.
 */
export function lastClosedHour(maxEventUs: number, graceUs: number): number {
  return hourOf(maxEventUs - graceUs) - 1;
}

export interface HourCounts {
  hour: number;
  /** Events of the hour as ingest_windows counts them (null: not known there). */
  windowEvents: number | null;
}

export interface AggregatedHour {
  hour: number;
  windowEvents: number;
}

/**
 * Hours to (re)aggregate, ascending: closed hours with events that were never aggregated, or
 * whose ingest_windows count changed since (a backfill added rows).
 */
export function hoursToAggregate(
  candidates: readonly HourCounts[],
  done: readonly AggregatedHour[],
  lastClosed: number,
): HourCounts[] {
  const seen = new Map(done.map((d) => [d.hour, d.windowEvents]));
  return candidates
    .filter((c) => c.hour <= lastClosed)
    .filter((c) => {
      const prev = seen.get(c.hour);
      if (prev === undefined) return true;
      return c.windowEvents !== null && c.windowEvents !== prev;
    })
    .sort((a, b) => a.hour - b.hour);
}
