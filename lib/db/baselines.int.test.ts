// Baselines on the real database: hour aggregation by GROUP BY, idempotent re-aggregation, a
// late (backfilled) event recomputing its hour, aggregates outliving their raw partition, and
// 24 h / 7 d baselines checked against a hand-computed example. Hours are in June 2020, which
// no other test file writes, and the file leaves no events or partitions behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineCache } from '@/lib/baseline/cache';
import { pathKey } from '@/lib/baseline/path-key';
import { hoursToAggregate, lastClosedHour } from '@/lib/baseline/windows';
import type { BgpEvent } from '@/lib/bgp/types';
import {
  aggregateHour,
  getPrefixBaseline,
  listAggregatedHours,
  listHourCandidates,
  listPrefixDayStats,
  listPrefixHourStats,
  maxEventTimeUs,
  pgBaselineSource,
  purgeBaselineHistory,
  resetBaselines,
} from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { partitionForHour } from '@/lib/db/event-partition-bounds';
import { insertEventBatch } from '@/lib/db/events';
import { forgetKnownPartitions } from '@/lib/db/partitions';
import { makeTestEvent } from '@/test/helpers/db';

const HOUR_US = 3_600_000_000;
const H0 = Math.floor(Date.UTC(2020, 5, 1, 0) / 3_600_000);
const D0 = H0 / 24;
const HOURS = [H0, H0 + 1, H0 + 2, H0 + 25, H0 + 8 * 24 + 5];
const P = '193.0.0.0/21';
const Q = '2001:db8::/32';
const R = '198.51.100.0/24';

const peerA = { collector: 'rrc00', peerAsn: 64500, peerIp: '192.0.2.1' };
const peerB = { collector: 'rrc21', peerAsn: 64501, peerIp: '192.0.2.2' };
const peerC = { collector: 'rrc00', peerAsn: 64502, peerIp: '192.0.2.3' };

function ann(hour: number, minute: number, prefix: string, peer: typeof peerA, path: number[]): BgpEvent {
  return makeTestEvent({
    ...peer,
    prefix,
    prefixLength: Number(prefix.split('/')[1]),
    asPath: path,
    asPathLength: path.length,
    originAsn: path[path.length - 1] ?? null,
    timestampUs: hour * HOUR_US + minute * 60_000_000,
  });
}

function wd(hour: number, minute: number, prefix: string, peer: typeof peerA): BgpEvent {
  return makeTestEvent({
    ...peer,
    eventType: 'withdrawal',
    prefix,
    prefixLength: Number(prefix.split('/')[1]),
    asPath: [],
    asPathLength: 0,
    originAsn: null,
    communities: [],
    nextHop: null,
    timestampUs: hour * HOUR_US + minute * 60_000_000,
  });
}

const EVENTS: BgpEvent[] = [
  ann(H0, 1, P, peerA, [64500, 3333]),
  ann(H0, 2, P, peerB, [64501, 1299, 1299, 3333]),
  wd(H0, 3, P, peerA),
  ann(H0, 4, Q, peerA, [64500, 6939, 65010]),
  ann(H0 + 1, 5, P, peerA, [64500, 3333]),
  ann(H0 + 1, 6, P, peerC, [64502, 174, 64666]),
  wd(H0 + 2, 7, Q, peerA),
  ann(H0 + 25, 8, R, peerA, [64500, 65020]),
];

async function cleanup(): Promise<void> {
  const db = getPgPool();
  for (const h of HOURS) await db.query(`DROP TABLE IF EXISTS "${partitionForHour(h).name}"`);
  forgetKnownPartitions();
  await db.query(`DELETE FROM ingest_windows WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz`, [
    new Date(H0 * 3_600_000).toISOString(),
    new Date((H0 + 30) * 3_600_000).toISOString(),
  ]);
  await resetBaselines();
}

async function baselineSnapshot(): Promise<string[]> {
  const r = await getPgPool().query<{ k: string }>(
    `SELECT window_hours || ' ' || prefix::text || ' ' || seq || ' ' || coalesce(encode(state, 'hex'), '-') AS k FROM prefix_baselines ORDER BY 1`,
  );
  return r.rows.map((row) => row.k);
}

beforeAll(async () => {
  await cleanup();
  const r = await insertEventBatch(EVENTS, { recordWindows: true });
  expect(r.inserted).toBe(EVENTS.length);
});

afterAll(async () => {
  await cleanup();
  await closeDb();
});

describe('hour aggregation', () => {
  it('aggregates an hour per prefix inside PostgreSQL', async () => {
    const res = await aggregateHour(H0);
    expect(res).toMatchObject({ status: 'aggregated', events: 4, prefixes: 2 });
    const [p] = await listPrefixHourStats(P, H0, H0);
    expect(p).toMatchObject({
      hour: H0, prefix: P, announcements: 2, withdrawals: 1, peers: 2, collectors: ['rrc00', 'rrc21'],
      origins: [3333], originCounts: [2],
      // prepending (1299 1299) is no link; pairs sorted
      linkFrom: [1299, 64500, 64501], linkTo: [3333, 3333, 1299], linkCounts: [1, 1, 1],
      pathLengths: [2, 4], pathLengthCounts: [1, 1],
    });
    // The SQL path key equals the pure one, prepending collapsed.
    expect(new Set(p!.pathKeys)).toEqual(new Set([pathKey([64500, 3333]), pathKey([64501, 1299, 3333])]));
    const [q] = await listPrefixHourStats(Q, H0, H0);
    expect(q).toMatchObject({ announcements: 1, peers: 1, origins: [65010], linkFrom: [6939, 64500], linkTo: [65010, 6939] });
  });

  it('re-aggregating the same hour changes nothing (same rows, same baselines, no new seq)', async () => {
    const before = await listPrefixHourStats(P, H0, H0);
    const snap = await baselineSnapshot();
    const res = await aggregateHour(H0);
    expect(res.baselineRows).toBe(0);
    expect(await listPrefixHourStats(P, H0, H0)).toEqual(before);
    expect(await baselineSnapshot()).toEqual(snap);
  });

  it('builds 24 h and 7 d baselines that match the hand-computed example', async () => {
    await aggregateHour(H0 + 1);
    await aggregateHour(H0 + 2);
    const b = await getPrefixBaseline(P, '24h');
    expect(b).not.toBeNull();
    expect(b).toMatchObject({ asOfHour: H0 + 2, hoursCovered: 3, hoursSeen: 2, announcements: 4, withdrawals: 1 });
    expect(b!.origins).toEqual([
      { asn: 3333, count: 3, share: 0.75 },
      { asn: 64666, count: 1, share: 0.25 },
    ]);
    expect(b!.links).toEqual([
      { from: 64500, to: 3333, count: 2 },
      { from: 174, to: 64666, count: 1 },
      { from: 1299, to: 3333, count: 1 },
      { from: 64501, to: 1299, count: 1 },
      { from: 64502, to: 174, count: 1 },
    ]);
    expect(b!.paths).toHaveLength(3);
    expect(b!.paths.find((p) => p.key === pathKey([64500, 3333]))?.count).toBe(2);
    // announcements per covered hour 2, 2, 0: mean 4/3, variance 8/3 - 16/9 = 8/9
    expect(b!.rates.announcements.mean).toBeCloseTo(4 / 3, 12);
    expect(b!.rates.announcements.stddev).toBeCloseTo(Math.sqrt(8 / 9), 12);
    // withdrawals 1, 0, 0: mean 1/3, variance 1/3 - 1/9 = 2/9
    expect(b!.rates.withdrawals.stddev).toBeCloseTo(Math.sqrt(2 / 9), 12);
    // peers per hour seen: 2, 2; collectors 2 (rrc00, rrc21), 1 (rrc00)
    expect(b!.visibility).toEqual({ peers: { median: 2, max: 2, mean: 2 }, collectors: { median: 1, max: 2, mean: 1.5 } });
    // 7 d / 30 d are sums of whole days: none has ended yet.
    expect(await getPrefixBaseline(P, '7d')).toBeNull();
    const q = await getPrefixBaseline(Q, '24h');
    expect(q).toMatchObject({ hoursSeen: 2, announcements: 1, withdrawals: 1 });
    expect(q!.visibility.peers).toEqual({ median: 0, max: 1, mean: 0.5 });
  });

  it('moving the window forward expires old hours from 24 h, and the day that ended enters 7 d / 30 d', async () => {
    const b24 = await getPrefixBaseline(P, '24h');
    const res = await aggregateHour(H0 + 25);
    expect(res.daysFolded).toEqual([D0]);
    // 24 h as of H0+25 covers (H0+1, H0+25]: P's hours are gone, Q keeps its withdrawal hour.
    expect(await getPrefixBaseline(P, '24h')).toBeNull();
    expect(await getPrefixBaseline(Q, '24h')).toMatchObject({ hoursCovered: 2, hoursSeen: 1, announcements: 0, withdrawals: 1 });
    // Day D0 (hours H0..H0+2 aggregated) is the whole 7 d window: the same sums 24 h had before.
    const b7 = await getPrefixBaseline(P, '7d');
    expect(b7).toEqual({ ...b24, window: '7d', asOfHour: H0 + 23, hoursCovered: 3 });
    expect(await getPrefixBaseline(P, '30d')).toEqual({ ...b7, window: '30d' });
    expect(await getPrefixBaseline(R, '24h')).toMatchObject({ announcements: 1, origins: [{ asn: 65020, count: 1, share: 1 }] });
    // R's day has not ended.
    expect(await getPrefixBaseline(R, '7d')).toBeNull();
    const days = await listPrefixDayStats(P, D0, D0 + 1);
    expect(days.map((d) => d.day)).toEqual([D0]);
    expect(days[0]!.other).toEqual({ origins: 0, links: 0, paths: 0 });
  });

  it('a late (backfilled) event makes the scheduler recompute its hour, and the baselines follow', async () => {
    const maxUs = await maxEventTimeUs();
    expect(maxUs).not.toBeNull();
    const due = () => Promise.all([listHourCandidates(), listAggregatedHours(H0)]).then(([c, d]) =>
      // One batch created partitions for every hour in between too: empty hours, also due.
      hoursToAggregate(c.filter((x) => HOURS.includes(x.hour)), d, lastClosedHour(maxUs!, 0)),
    );
    expect(await due()).toEqual([]);
    const late = ann(H0 + 1, 30, P, peerB, [64501, 9002, 64666]);
    expect((await insertEventBatch([late], { recordWindows: true })).inserted).toBe(1);
    expect((await due()).map((h) => h.hour)).toEqual([H0 + 1]);
    await aggregateHour(H0 + 1);
    expect(await due()).toEqual([]);
    const b = await getPrefixBaseline(P, '7d');
    expect(b!.origins).toEqual([
      { asn: 3333, count: 3, share: 0.6 },
      { asn: 64666, count: 2, share: 0.4 },
    ]);
    expect(b!.links.find((l) => l.from === 9002)).toEqual({ from: 9002, to: 64666, count: 1 });
  });

  it('dropping the raw partition keeps the hour aggregates and the baselines', async () => {
    const before = await listPrefixHourStats(P, H0, H0 + 1);
    const snap = await baselineSnapshot();
    await getPgPool().query(`DROP TABLE "${partitionForHour(H0).name}"`);
    forgetKnownPartitions();
    expect(await aggregateHour(H0)).toMatchObject({ status: 'no-partition' });
    expect(await listPrefixHourStats(P, H0, H0 + 1)).toEqual(before);
    expect(await baselineSnapshot()).toEqual(snap);
    expect((await listHourCandidates()).some((c) => c.hour === H0)).toBe(false);
    expect(await getPrefixBaseline(P, '7d')).toMatchObject({ announcements: 5 });
  });

  it('feeds the run-time cache: full load, then only changes; tombstones removed', async () => {
    const cache = new BaselineCache({ chunkBytes: 1 << 16 });
    const src = pgBaselineSource();
    expect((await cache.refresh(src)).full).toBe(true);
    expect(cache.getBaseline(P, '7d')?.originCount(64666)).toBe(2);
    expect(cache.getBaseline(P, '24h')).toBeUndefined();
    expect(cache.getSummary(Q, '24h')).toMatchObject({ withdrawals: 1, hoursCovered: 2 });
    expect(cache.linkHint(64500, 3333, '7d')).toBe(2);
    expect(cache.linkHint(3333, 64500, '7d')).toBe(0);
    expect(await cache.refresh(src)).toEqual({ full: false, applied: 0 });
    const purged = await purgeBaselineHistory({ purgeTombstones: true });
    expect(purged.tombstones).toBeGreaterThan(0);
    // The cache saw every tombstone already, so it keeps refreshing incrementally.
    expect((await cache.refresh(src)).full).toBe(false);
    expect(cache.getBaseline(P, '30d')?.originCount(64666)).toBe(2);
  });

  it('a day leaves the 7 d window after 7 more days have ended, and stays in 30 d', async () => {
    const H8 = H0 + 8 * 24 + 5;
    expect((await insertEventBatch([ann(H8, 1, Q, peerA, [64500, 6939, 65010])], { recordWindows: true })).inserted).toBe(1);
    const res = await aggregateHour(H8);
    // Days D0+1 .. D0+7 ended: only D0+1 has rows.
    expect(res.daysFolded).toEqual([D0 + 1]);
    expect(await getPrefixBaseline(P, '7d')).toBeNull();
    expect(await getPrefixBaseline(P, '30d')).toMatchObject({ announcements: 5, asOfHour: H0 + 8 * 24 - 1 });
    expect(await getPrefixBaseline(R, '7d')).toMatchObject({ announcements: 1, hoursCovered: 1 });
    // The AS link hints follow the windows: P's links left 7 d with its day.
    const links = await getPgPool().query<{ n: string }>(`SELECT count(*)::text AS n FROM baseline_as_links WHERE window_hours = 168 AND asn_from = 64501 AND asn_to = 1299`);
    expect(links.rows[0]!.n).toBe('0');
  });

  it('purges hour rows past 48 h by whole days, and a re-aggregation of a purged hour leaves the days alone', async () => {
    // The newest hour is H0+8d+5: rows of the days before D0+6 are older than 48 h.
    const purged = await purgeBaselineHistory({ purgeTombstones: false });
    expect(purged.hours).toBe(4); // H0, H0+1, H0+2, H0+25
    expect(await listPrefixHourStats(Q, H0 + 8 * 24, H0 + 9 * 24)).toHaveLength(1);
    expect(await listPrefixHourStats(P, H0, H0 + 30)).toEqual([]);
    const b7 = await getPrefixBaseline(P, '30d');
    // H0+1 still has raw events: re-aggregating it cannot subtract its (purged) old row.
    const res = await aggregateHour(H0 + 1);
    expect(res.dayUpdateSkipped).toBe('hour-rows-pruned');
    expect(await getPrefixBaseline(P, '30d')).toEqual(b7);
  });
});
