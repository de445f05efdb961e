// Fixed event-time buckets of ingest_windows (pure). A window is [start, start + WINDOW_US).

import type { EventSource } from '@/lib/bgp/types';

/** 5 minutes: small enough to locate a gap, large enough to keep the table tiny (288 rows/day/source). */
export const INGEST_WINDOW_US = 5 * 60 * 1_000_000;

export function windowStartFor(timestampUs: number): number {
  return Math.floor(timestampUs / INGEST_WINDOW_US) * INGEST_WINDOW_US;
}

/** Counts of rows actually inserted into one window (duplicates excluded). */
export interface WindowCountDelta {
  source: EventSource;
  windowStartUs: number;
  events: number;
  announcements: number;
  withdrawals: number;
  firstEventUs: number;
  lastEventUs: number;
}
