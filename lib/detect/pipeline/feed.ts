// The process-wide hook through which ingest pipelines (live collector, backfill) hand each
// committed batch to detection, without importing the queues. The worker process registers the
// feed at start (workers/detect-feed.ts: enqueue per partition); with none registered the call
// does nothing (e.g. a CLI backfill with --inline). No I/O here.

import type { BgpEvent } from '@/lib/bgp/types';

type Feed = (events: readonly BgpEvent[], committedAtMs: number) => void;

let feed: Feed | null = null;

export function setDetectFeed(fn: Feed | null): void {
  feed = fn;
}

/** Hands a committed batch to detection; never throws (the feed counts and logs its failures). */
export function feedDetection(events: readonly BgpEvent[], committedAtMs: number): void {
  if (!feed || events.length === 0) return;
  try {
    feed(events, committedAtMs);
  } catch {
    // Detection must never break ingest.
  }
}
