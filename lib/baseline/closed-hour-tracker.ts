// Notices, from committed batches, when event time closes an hour (its end plus the grace for
// late events has passed). The baseline scan otherwise runs every few minutes of wall clock: a
// replay at 100× plays hours of event time in that span, and its incident would be compared with
// baselines not yet aggregated from its own quiet period. Pure: the caller enqueues the scan.

import { lastClosedHour } from '@/lib/baseline/windows';

export class ClosedHourTracker {
  private maxUs = Number.NEGATIVE_INFINITY;
  private lastClosed: number | null = null;

  constructor(private readonly graceUs: number) {}

  /** The newest closed hour when this batch closed a new one, else null. */
  observe(events: readonly { timestampUs: number }[]): number | null {
    let max = this.maxUs;
    for (const e of events) if (e.timestampUs > max) max = e.timestampUs;
    if (max === this.maxUs) return null;
    this.maxUs = max;
    const closed = lastClosedHour(max, this.graceUs);
    // The first batch only sets the mark: what closed before it the periodic scan handles.
    if (this.lastClosed === null) {
      this.lastClosed = closed;
      return null;
    }
    if (closed <= this.lastClosed) return null;
    this.lastClosed = closed;
    return closed;
  }
}
