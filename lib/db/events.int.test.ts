import '@/test/setup-env';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { BgpEvent, StoredBgpEvent } from '@/lib/bgp/types';
import { closeDb, getPgPool } from '@/lib/db/client';
import { EventFilterError, InvalidCursorError, countEvents, getEventById, insertEventBatch, latestEvents, listEvents } from '@/lib/db/events';
import { listWindows } from '@/lib/db/ingest-windows';
import { HOUR_US } from '@/lib/db/event-partition-bounds';
import { makeTestEvent, resetDatabase } from '@/test/helpers/db';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0) * 1000; // 2026-11-22T10:00:00Z in µs

beforeEach(resetDatabase);
afterAll(closeDb);

function withoutIdentity(e: StoredBgpEvent): BgpEvent {
  const { id: _id, ingestedAtMs: _at, ...rest } = e;
  return rest;
}

describe('insertEventBatch + read back', () => {
  it('keeps every field exactly (IPv6, AS_SET mask, µs time, 32-bit ASNs, communities, raw json, nulls)', async () => {
    const v6 = makeTestEvent({
      collector: 'rrc00',
      peerAsn: 4200000000,
      peerIp: '2001:db8::1',
      prefix: '2605:de00:bb::/48',
      prefixLength: 48,
      originAsn: 4294967294,
      asPath: [4200000000, 3356, 64496, 64497],
      asPathSetMask: [false, false, true, true],
      asPathLength: 3,
      communities: ['3356:2', '4200000000:1:2', '65535:65281'],
      nextHop: 'fe80::1',
      med: 4294967295,
      localPref: 100,
      originAttribute: 'incomplete',
      aggregator: '64496:192.0.2.9',
      timestampUs: 1787141896080123,
      rawMessage: { host: 'rrc00.ripe.net', path: [4200000000, [64496, 64497]], note: 'ünïcode "quoted" \\ back', n: null },
    });
    const withdrawal = makeTestEvent({
      eventType: 'withdrawal',
      originAsn: null,
      asPath: [],
      asPathSetMask: null,
      asPathLength: 0,
      communities: [],
      nextHop: null,
      originAttribute: null,
      timestampUs: 1787141896000001,
    });
    const before = Date.now();
    const r = await insertEventBatch([v6, withdrawal]);
    expect(r).toMatchObject({ inserted: 2, duplicates: 0, rejected: 0 });

    const page = await listEvents({ limit: 10 });
    expect(page.data.map(withoutIdentity)).toEqual([v6, withdrawal]); // newest first
    const first = page.data[0]!;
    expect(first.ingestedAtMs).toBeGreaterThanOrEqual(before - 1000);
    expect(await getEventById(first.id)).toEqual(first);
  });

  it('ignores duplicates across and within batches, and counts them', async () => {
    const events = Array.from({ length: 20 }, (_, i) => makeTestEvent({ prefix: `10.${i}.0.0/16`, prefixLength: 16, timestampUs: T0 + i }));
    expect(await insertEventBatch(events)).toMatchObject({ inserted: 20, duplicates: 0 });
    const replay = [...events.slice(10), makeTestEvent({ prefix: '10.99.0.0/16', prefixLength: 16, timestampUs: T0 + 99 })];
    expect(await insertEventBatch([...replay, replay[0]!])).toMatchObject({ inserted: 1, duplicates: 11 });
    expect(await countEvents()).toBe(21);
  });

  it('creates the partitions of a batch spanning two hours', async () => {
    const a = makeTestEvent({ timestampUs: 3 * HOUR_US + T0 + HOUR_US - 1 });
    const b = makeTestEvent({ timestampUs: 3 * HOUR_US + T0 + HOUR_US, prefix: '198.51.100.0/24' });
    expect(await insertEventBatch([a, b])).toMatchObject({ inserted: 2 });
    const r = await getPgPool().query<{ name: string; n: string }>(
      `SELECT tableoid::regclass::text AS name, count(*)::text AS n FROM bgp_events GROUP BY 1 ORDER BY 1`,
    );
    expect(r.rows).toEqual([
      { name: 'bgp_events_p2026112213', n: '1' },
      { name: 'bgp_events_p2026112214', n: '1' },
    ]);
  });

  it('rejects only the bad rows of a batch and keeps the rest', async () => {
    const good = Array.from({ length: 9 }, (_, i) => makeTestEvent({ timestampUs: T0 + i, prefix: `10.${i}.0.0/16`, prefixLength: 16 }));
    const badIp = makeTestEvent({ peerIp: 'not-an-ip', timestampUs: T0 + 100 });
    const badLength = makeTestEvent({ prefixLength: 25, timestampUs: T0 + 101 });
    const r = await insertEventBatch([...good.slice(0, 4), badIp, ...good.slice(4), badLength]);
    expect(r).toMatchObject({ inserted: 9, duplicates: 0, rejected: 2 });
    expect(await countEvents()).toBe(9);
  });

  it('stores a NUL character (which jsonb refuses) as U+FFFD instead of losing the row', async () => {
    const e = makeTestEvent({ rawMessage: { note: 'a\u0000b' }, communities: ['1:2', 'odd"one'] });
    expect(await insertEventBatch([e])).toMatchObject({ inserted: 1, rejected: 0 });
    const [got] = (await listEvents({ limit: 1 })).data;
    expect(got?.rawMessage).toEqual({ note: 'a\uFFFDb' });
    expect(got?.communities).toEqual(['1:2', 'odd"one']);
  });

  it('returns per-window counts of inserted rows and can record them atomically', async () => {
    const w0 = [makeTestEvent({ timestampUs: T0 + 5 }), makeTestEvent({ timestampUs: T0 + 7, eventType: 'withdrawal', originAsn: null, asPath: [], asPathLength: 0 })];
    const w1 = [makeTestEvent({ timestampUs: T0 + 300_000_000 + 1 })];
    const r1 = await insertEventBatch([...w0, ...w1], { recordWindows: true });
    expect(r1.windows).toEqual([
      { source: 'ris_live_bgp', windowStartUs: T0, events: 2, announcements: 1, withdrawals: 1, firstEventUs: T0 + 5, lastEventUs: T0 + 7 },
      { source: 'ris_live_bgp', windowStartUs: T0 + 300_000_000, events: 1, announcements: 1, withdrawals: 0, firstEventUs: T0 + 300_000_001, lastEventUs: T0 + 300_000_001 },
    ]);
    // A replay with one new row adds exactly one to its window.
    const extra = makeTestEvent({ timestampUs: T0 + 1, prefix: '198.51.100.0/24' });
    const r2 = await insertEventBatch([...w0, ...w1, extra], { recordWindows: true });
    expect(r2).toMatchObject({ inserted: 1, duplicates: 3 });
    const windows = await listWindows({ source: 'ris_live_bgp', fromUs: T0, toUs: T0 + HOUR_US });
    expect(windows.map((w) => [w.windowStartUs, w.eventCount, w.announcementCount, w.withdrawalCount, w.firstEventUs, w.lastEventUs])).toEqual([
      [T0, 3, 2, 1, T0 + 1, T0 + 7],
      [T0 + 300_000_000, 1, 1, 0, T0 + 300_000_001, T0 + 300_000_001],
    ]);
  });
});

describe('listEvents filters', () => {
  const set = [
    makeTestEvent({ prefix: '10.0.0.0/8', prefixLength: 8, originAsn: 1, peerAsn: 100, timestampUs: T0 + 1 }),
    makeTestEvent({ prefix: '10.1.0.0/16', prefixLength: 16, originAsn: 2, peerAsn: 100, timestampUs: T0 + 2, collector: 'rrc00' }),
    makeTestEvent({ prefix: '10.1.2.0/24', prefixLength: 24, originAsn: 3, peerAsn: 200, timestampUs: T0 + 3 }),
    makeTestEvent({ prefix: '10.1.2.0/24', prefixLength: 24, originAsn: null, asPath: [], asPathLength: 0, eventType: 'withdrawal', peerAsn: 200, timestampUs: T0 + 4 }),
    makeTestEvent({ prefix: '11.0.0.0/8', prefixLength: 8, originAsn: 1, peerAsn: 300, timestampUs: T0 + 5, source: 'bgpstream_bgp' }),
    makeTestEvent({ prefix: '2001:db8::/32', prefixLength: 32, originAsn: 1, peerAsn: 100, peerIp: '2001:db8::2', timestampUs: T0 + 6 }),
    makeTestEvent({ prefix: '2001:db8:1::/48', prefixLength: 48, originAsn: 4, peerAsn: 100, peerIp: '2001:db8::2', timestampUs: T0 + 7 }),
  ];
  // Which of `set` (by index) each filter must return, newest first.
  const cases: Array<[string, Parameters<typeof listEvents>[0], number[]]> = [
    ['no filter', { limit: 100 }, [6, 5, 4, 3, 2, 1, 0]],
    ['exact prefix', { limit: 100, prefix: '10.1.2.0/24' }, [3, 2]],
    ['exact prefix, explicit', { limit: 100, prefix: '10.1.0.0/16', prefixMatch: 'exact' }, [1]],
    ['covering prefix', { limit: 100, prefix: '10.1.2.0/24', prefixMatch: 'covering' }, [3, 2, 1, 0]],
    ['covering of an unseen more-specific', { limit: 100, prefix: '10.1.2.128/25', prefixMatch: 'covering' }, [3, 2, 1, 0]],
    ['more-specific prefix', { limit: 100, prefix: '10.1.0.0/16', prefixMatch: 'more_specific' }, [3, 2, 1]],
    ['more-specific IPv6', { limit: 100, prefix: '2001:db8::/32', prefixMatch: 'more_specific' }, [6, 5]],
    ['covering IPv6', { limit: 100, prefix: '2001:db8:1::/48', prefixMatch: 'covering' }, [6, 5]],
    ['origin_asn', { limit: 100, originAsn: 1 }, [5, 4, 0]],
    ['peer_asn', { limit: 100, peerAsn: 200 }, [3, 2]],
    ['collector', { limit: 100, collector: 'rrc00' }, [1]],
    ['event_type', { limit: 100, eventType: 'withdrawal' }, [3]],
    ['source', { limit: 100, source: 'bgpstream_bgp' }, [4]],
    ['time range (inclusive)', { limit: 100, timeFromUs: T0 + 2, timeToUs: T0 + 4 }, [3, 2, 1]],
    ['time from', { limit: 100, timeFromUs: T0 + 6 }, [6, 5]],
    ['combined', { limit: 100, originAsn: 1, prefix: '10.0.0.0/8', prefixMatch: 'more_specific' }, [0]],
  ];

  it.each(cases)('%s', async (_name, filter, expected) => {
    await insertEventBatch(set);
    const page = await listEvents(filter);
    expect(page.data.map((e) => e.timestampUs - T0 - 1)).toEqual(expected);
    expect(page.nextCursor).toBeNull();
    const { limit: _l, ...countFilter } = filter;
    expect(await countEvents(countFilter)).toBe(expected.length);
  });

  it('latestEvents returns the newest', async () => {
    await insertEventBatch(set);
    expect((await latestEvents(2)).map((e) => e.prefix)).toEqual(['2001:db8:1::/48', '2001:db8::/32']);
  });

  it('refuses a bad prefix and a forged cursor with clear errors', async () => {
    await expect(listEvents({ limit: 5, prefix: '10.1.2.3/8' })).rejects.toBeInstanceOf(EventFilterError);
    await expect(listEvents({ limit: 5, prefix: 'nonsense', prefixMatch: 'covering' })).rejects.toBeInstanceOf(EventFilterError);
    await expect(listEvents({ limit: 5, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
    expect(await getEventById('abc')).toBeNull();
    expect(await getEventById('999999')).toBeNull();
  });
});

describe('listEvents pagination', () => {
  it('walks every row once, in (timestamp DESC, id DESC) order, across equal timestamps', async () => {
    // 10 distinct times × 5 events each, inserted in two batches out of order.
    const events = Array.from({ length: 50 }, (_, i) =>
      makeTestEvent({ timestampUs: T0 + Math.floor(i / 5) * 1000, prefix: `10.${i}.0.0/16`, prefixLength: 16 }),
    );
    await insertEventBatch(events.filter((_, i) => i % 2 === 1));
    await insertEventBatch(events.filter((_, i) => i % 2 === 0));
    const all = (await listEvents({ limit: 1000 })).data;
    expect(all).toHaveLength(50);

    const seen: StoredBgpEvent[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listEvents({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.data);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(8);
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(seen.map((e) => e.id)).size).toBe(50);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.timestampUs > b.timestampUs || (a.timestampUs === b.timestampUs && BigInt(a.dedupKey) > BigInt(b.dedupKey))).toBe(true);
    }
  });

  it('has no next page when the last page is exactly full', async () => {
    await insertEventBatch(Array.from({ length: 4 }, (_, i) => makeTestEvent({ timestampUs: T0 + i })));
    const p1 = await listEvents({ limit: 2 });
    const p2 = await listEvents({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.data).toHaveLength(2);
    expect(p2.nextCursor).toBeNull();
  });
});
