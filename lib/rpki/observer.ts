// The process-wide hooks between ingest pipelines and the RPKI service, so neither imports the
// other. Live batches go to the registered observer (validated and tracked as currently announced
// routes). Backfilled batches are validated without tracking (lib/rpki/backfill-tap.ts) against
// the index the service registers here; with no service in the process, the tap loads the
// persisted sets itself (lib/rpki/stored-index.ts). No I/O here.

import type { BgpEvent } from '@/lib/bgp/types';
import type { WatchList } from '@/lib/rpki/anomalies';
import type { VrpIndex } from '@/lib/rpki/vrp-index';

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

/** What historic validation needs: the index in force and the watched prefixes. */
export interface RpkiValidationContext {
  index: VrpIndex;
  watch: WatchList | null;
}

let provider: (() => RpkiValidationContext) | null = null;

/** The RPKI service registers its current index (null on stop). */
export function setRpkiIndexProvider(fn: (() => RpkiValidationContext) | null): void {
  provider = fn;
}

/** The running service's index, or null when no service runs in this process. */
export function serviceRpkiContext(): RpkiValidationContext | null {
  return provider ? provider() : null;
}
