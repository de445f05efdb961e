import { describe, expect, it } from 'vitest';
import { computeWindowDeltas } from '@/lib/ingest/window-deltas';
import { makeEvent } from '@/lib/ingest/test-support';

const W = 300_000_000; // 5 minutes in µs

describe('computeWindowDeltas', () => {
  it('groups by source and event-time window with type counts and time bounds', () => {
    const base = 1_700_000_100_000_000; // inside a window, not on its edge
    const start = Math.floor(base / W) * W;
    const events = [
      makeEvent(1, { timestampUs: base + 5 }),
      makeEvent(2, { timestampUs: base + 1, eventType: 'withdrawal' }),
      makeEvent(3, { timestampUs: start + W }), // first µs of the next window
      makeEvent(4, { timestampUs: base + 2, source: 'bgpstream_bgp' }),
    ];
    expect(computeWindowDeltas(events, W)).toEqual([
      { source: 'bgpstream_bgp', windowStartUs: start, events: 1, announcements: 1, withdrawals: 0, firstEventUs: base + 2, lastEventUs: base + 2 },
      { source: 'ris_live_bgp', windowStartUs: start, events: 2, announcements: 1, withdrawals: 1, firstEventUs: base + 1, lastEventUs: base + 5 },
      { source: 'ris_live_bgp', windowStartUs: start + W, events: 1, announcements: 1, withdrawals: 0, firstEventUs: start + W, lastEventUs: start + W },
    ]);
  });

  it('returns nothing for no events and rejects a bad window', () => {
    expect(computeWindowDeltas([], W)).toEqual([]);
    expect(() => computeWindowDeltas([], 0)).toThrow(/windowUs/);
  });
});
