// The process-wide hook through which ingest pipelines (live collector, backfill) hand every batch
// of normalized events to RPKI validation, without importing the RPKI service. The worker's RPKI
// service registers itself at start; with none registered the call does nothing. No I/O here.

import type { BgpEvent } from '@/lib/bgp/types';

type Observer = (events: readonly BgpEvent[]) => void;

let observer: Observer | null = null;

export function setRpkiObserver(fn: Observer | null): void {
  observer = fn;
}

/** Validates and tracks the events (synchronous, microseconds per event); never throws. */
export function observeRpki(events: readonly BgpEvent[]): void {
  if (!observer || events.length === 0) return;
  try {
    observer(events);
  } catch {
    // Validation must never break ingest; the service counts and logs its own failures.
  }
}
