// Per-window counts of a committed batch, for the ingest_windows table. Pure.

import type { BgpEvent, EventSource } from '@/lib/bgp/types';

export interface WindowDelta {
  source: EventSource;
  windowStartUs: number;
  events: number;
  announcements: number;
  withdrawals: number;
  firstEventUs: number;
  lastEventUs: number;
}

/** Groups events by (source, fixed event-time window of `windowUs`). */
export function computeWindowDeltas(events: readonly BgpEvent[], windowUs: number): WindowDelta[] {
  if (!(windowUs > 0)) throw new RangeError('windowUs must be positive');
  const byKey = new Map<string, WindowDelta>();
  for (const e of events) {
    const windowStartUs = Math.floor(e.timestampUs / windowUs) * windowUs;
    const key = `${e.source}|${windowStartUs}`;
    let d = byKey.get(key);
    if (!d) {
      d = { source: e.source, windowStartUs, events: 0, announcements: 0, withdrawals: 0, firstEventUs: e.timestampUs, lastEventUs: e.timestampUs };
      byKey.set(key, d);
    }
    d.events++;
    if (e.eventType === 'announcement') d.announcements++;
    else d.withdrawals++;
    if (e.timestampUs < d.firstEventUs) d.firstEventUs = e.timestampUs;
    if (e.timestampUs > d.lastEventUs) d.lastEventUs = e.timestampUs;
  }
  return [...byKey.values()].sort((a, b) => a.windowStartUs - b.windowStartUs || a.source.localeCompare(b.source));
}
