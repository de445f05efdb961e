import '@/test/setup-env';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb } from '@/lib/db/client';
import { INGEST_WINDOW_US, listRecentGaps, listWindows, recordGap, recordWindowCounts, windowStartFor } from '@/lib/db/ingest-windows';
import { resetDatabase } from '@/test/helpers/db';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0) * 1000;

beforeEach(resetDatabase);
afterAll(closeDb);

describe('recordWindowCounts', () => {
  it('creates windows, then adds counts and widens first/last times', async () => {
    await recordWindowCounts([
      { source: 'ris_live_bgp', windowStartUs: T0, events: 3, announcements: 2, withdrawals: 1, firstEventUs: T0 + 10, lastEventUs: T0 + 20 },
      { source: 'ris_live_bgp', windowStartUs: T0 + INGEST_WINDOW_US, events: 1, announcements: 1, withdrawals: 0, firstEventUs: T0 + INGEST_WINDOW_US, lastEventUs: T0 + INGEST_WINDOW_US },
    ]);
    // Same window twice in one call (merged), plus an unaligned start (snapped to its window).
    await recordWindowCounts([
      { source: 'ris_live_bgp', windowStartUs: T0 + 7, events: 2, announcements: 0, withdrawals: 2, firstEventUs: T0 + 5, lastEventUs: T0 + 15 },
      { source: 'ris_live_bgp', windowStartUs: T0, events: 1, announcements: 1, withdrawals: 0, firstEventUs: T0 + 30, lastEventUs: T0 + 30 },
      { source: 'bgpstream_bgp', windowStartUs: T0, events: 4, announcements: 4, withdrawals: 0, firstEventUs: T0 + 1, lastEventUs: T0 + 2 },
    ]);
    const w = await listWindows({ source: 'ris_live_bgp', fromUs: T0, toUs: T0 + 10 * INGEST_WINDOW_US });
    expect(w.map((x) => ({ s: x.windowStartUs, e: x.windowEndUs, n: x.eventCount, a: x.announcementCount, wd: x.withdrawalCount, f: x.firstEventUs, l: x.lastEventUs }))).toEqual([
      { s: T0, e: T0 + INGEST_WINDOW_US, n: 6, a: 3, wd: 3, f: T0 + 5, l: T0 + 30 },
      { s: T0 + INGEST_WINDOW_US, e: T0 + 2 * INGEST_WINDOW_US, n: 1, a: 1, wd: 0, f: T0 + INGEST_WINDOW_US, l: T0 + INGEST_WINDOW_US },
    ]);
    const other = await listWindows({ source: 'bgpstream_bgp', fromUs: T0 + 1, toUs: T0 + 1 });
    expect(other.map((x) => x.eventCount)).toEqual([4]);
    expect(await listWindows({ source: 'ris_live_bgp', fromUs: T0 + 5 * INGEST_WINDOW_US, toUs: T0 + 6 * INGEST_WINDOW_US })).toEqual([]);
  });

  it('does nothing for an empty list', async () => {
    await recordWindowCounts([]);
    expect(await listWindows({ source: 'ris_live_bgp', fromUs: 0, toUs: T0 * 2 })).toEqual([]);
  });
});

describe('gaps', () => {
  it('records gaps with µs event times, bumps the window gap_count, lists newest first', async () => {
    const startedAtMs = T0 / 1000 + 60_000;
    const g1 = await recordGap({
      source: 'ris_live_bgp',
      startedAtMs,
      endedAtMs: startedAtMs + 4_500,
      lastEventBeforeUs: T0 + 123_456,
      firstEventAfterUs: T0 + 4_600_001,
      reason: 'socket closed (1006)',
    });
    const g2 = await recordGap({
      source: 'ris_live_bgp',
      startedAtMs: startedAtMs + 10_000,
      endedAtMs: startedAtMs + 11_000,
      lastEventBeforeUs: null,
      firstEventAfterUs: null,
      reason: 'buffer overflow',
    });
    expect(g1.id).not.toBe(g2.id);
    const gaps = await listRecentGaps(10);
    expect(gaps.map((g) => g.id)).toEqual([g2.id, g1.id]);
    expect(gaps[1]).toMatchObject({
      source: 'ris_live_bgp',
      startedAtMs,
      endedAtMs: startedAtMs + 4_500,
      lastEventBeforeUs: T0 + 123_456,
      firstEventAfterUs: T0 + 4_600_001,
      reason: 'socket closed (1006)',
      backfillStatus: 'pending',
    });
    expect(gaps[0]).toMatchObject({ lastEventBeforeUs: null, firstEventAfterUs: null });
    // Both anchor in the window starting at T0 (event time for g1, wall clock for g2).
    const [w] = await listWindows({ source: 'ris_live_bgp', fromUs: T0, toUs: T0 });
    expect(w).toMatchObject({ windowStartUs: windowStartFor(T0), gapCount: 2, eventCount: 0 });
    expect(gaps.every((g) => g.windowId === w!.id)).toBe(true);
    expect(await listRecentGaps(1)).toHaveLength(1);
  });
});
