// Baselines at Internet scale.
//  1. Run-time cache (lib/baseline/cache.ts): memory per baselined prefix and lookup rate for
//     --prefixes synthetic prefixes, each with a 24 h, 7 d and 30 d entry.
//  2. Aggregating one event-time hour of --events synthetic events in PostgreSQL
//     (lib/db/baselines.ts#aggregateHour: GROUP BY + rolling update of the three windows), the
//     stored bytes per prefix-hour and per baseline entry. Uses DATABASE_URL, or starts a
//     private throw-away PostgreSQL under .data/bench-baseline when it is unset.
//
//   node --expose-gc --import tsx bench/baseline-cache.ts [--prefixes 1000000] [--events 1000000]
//       [--skip-db]

import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineCache } from '@/lib/baseline/cache';
import { encodeBaseline } from '@/lib/baseline/codec';
import { hourStats } from '@/lib/baseline/test-stats';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import type { BgpEvent } from '@/lib/bgp/types';
import { aggregateHour, resetBaselines } from '@/lib/db/baselines';
import { insertEventBatch } from '@/lib/db/events';
import { getEnv } from '@/lib/env';
import { startEmbeddedPostgres } from '@/lib/infra/embedded-postgres';
import { runMigrations } from '@/scripts/migrate';
import { mulberry32 } from '@/lib/util/seeded-random';

const { values: args } = parseArgs({
  options: {
    prefixes: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '1000000' },
    'skip-db': { type: 'boolean', default: false },
  },
});

const rng = mulberry32;

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const prefixOf = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function memory(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Synthetic window sums shaped like a stable prefix seen from many peers: 1 origin (10 % two),
 * 8-30 adjacent AS pairs, 3-12 path patterns, 2-4 path lengths, a few histogram buckets.
 */
function templates(n: number): Uint8Array[] {
  const r = rng(7);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  return Array.from({ length: n }, (_, t) => {
    const acc = new BaselineAccumulator();
    const links = int(8, 30);
    const paths = int(3, 12);
    for (let h = 0; h < int(6, 24); h++) {
      acc.apply(
        hourStats({
          hour: h, prefix: 'x', announcements: int(1, 40), withdrawals: int(0, 5), peers: int(200, 1400),
          collectors: Array.from({ length: int(15, 25) }, (_, i) => `rrc${i}`),
          origins: t % 10 === 0 ? [64500 + t, 65000 + t] : [64500 + t], originCounts: t % 10 === 0 ? [5, 1] : [5],
          linkFrom: Array.from({ length: links }, (_, i) => 1000 + i), linkTo: Array.from({ length: links }, (_, i) => 2000 + i * 7),
          linkCounts: Array.from({ length: links }, () => int(1, 50)),
          pathKeys: Array.from({ length: paths }, (_, i) => i * 7919 + t), pathCounts: Array.from({ length: paths }, () => int(1, 20)),
          pathLengths: [3, 4, 5].slice(0, int(2, 3)), pathLengthCounts: [4, 3, 1],
        }),
        1,
      );
    }
    return encodeBaseline(acc);
  });
}

function benchCache(nPrefixes: number): void {
  const tpl = templates(997);
  // The prefix strings count too: the cache's Map holds them.
  const before = memory();
  const keys = Array.from({ length: nPrefixes }, (_, i) => prefixOf(i));
  const cache = new BaselineCache();
  const t0 = performance.now();
  for (let i = 0; i < nPrefixes; i++) {
    cache.set(keys[i]!, '24h', tpl[i % tpl.length]!);
    cache.set(keys[i]!, '7d', tpl[(i + 1) % tpl.length]!);
    cache.set(keys[i]!, '30d', tpl[(i + 2) % tpl.length]!);
  }
  const loadMs = performance.now() - t0;
  const after = memory();
  const arena = cache.arenaStats();
  console.log(`cache: ${nPrefixes.toLocaleString('en')} prefixes x 3 windows loaded in ${(loadMs / 1000).toFixed(2)} s`);
  console.log(`  memory: ${mb(after - before)} total (${((after - before) / nPrefixes).toFixed(0)} B/prefix; heap+arrayBuffers, gc'd), ` +
    `arena live ${mb(arena.liveBytes)} (${(arena.liveBytes / nPrefixes / 3).toFixed(0)} B per entry), chunks ${mb(arena.chunkBytes)}`);

  const r = rng(3);
  const order = Int32Array.from({ length: 1_000_000 }, () => Math.floor(r() * nPrefixes));
  let hits = 0;
  const t1 = performance.now();
  for (let rep = 0; rep < 3; rep++) {
    for (let i = 0; i < order.length; i++) {
      const v = cache.getBaseline(keys[order[i]!]!, '30d');
      if (v && v.originCount(64500 + (order[i]! % 997)) > 0) hits++;
      if (v && v.linkCount(1005, 2035) > 0) hits++;
    }
  }
  const lookMs = performance.now() - t1;
  console.log(`  lookups: ${((3 * order.length) / (lookMs / 1000) / 1e6).toFixed(2)} M/s (getBaseline + originCount + linkCount, random prefixes; ${hits} hits)`);
}

function makeEvents(n: number, hour: number): BgpEvent[] {
  const r = rng(42);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const nPrefixes = Math.max(1, Math.floor(n / 5));
  const peers = Array.from({ length: 400 }, (_, i) => ({ asn: 64_512 + i, ip: `192.0.${i >> 8}.${i & 255}`, collector: `rrc${String(i % 25).padStart(2, '0')}` }));
  const transit = [174, 1299, 2914, 3257, 3356, 6453, 6762, 6939, 9002, 3491];
  const out: BgpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const p = int(0, nPrefixes - 1);
    const peer = peers[int(0, peers.length - 1)]!;
    const origin = 100_000 + (p % 50_000);
    const path = [peer.asn, ...Array.from({ length: int(0, 3) }, () => transit[int(0, transit.length - 1)]!), origin];
    if (r() < 0.1) path.splice(path.length - 1, 0, origin); // prepending
    const withdrawal = r() < 0.15;
    const e: Omit<BgpEvent, 'dedupKey'> = {
      source: 'ris_live_bgp', collector: peer.collector, peerAsn: peer.asn, peerIp: peer.ip,
      eventType: withdrawal ? 'withdrawal' : 'announcement', prefix: prefixOf(p), prefixLength: 24,
      originAsn: withdrawal ? null : origin, asPath: withdrawal ? [] : path, asPathSetMask: null,
      asPathLength: withdrawal ? 0 : path.length, communities: [], nextHop: null, med: null, localPref: null,
      originAttribute: withdrawal ? null : 'igp', aggregator: null,
      timestampUs: hour * 3_600_000_000 + Math.floor((i / n) * 3_599_000_000), rawMessage: null,
    };
    out.push({ ...e, dedupKey: computeDedupKey(e) });
  }
  return out;
}

async function benchAggregate(nEvents: number): Promise<void> {
  let url = getEnv().DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const pgs = await startEmbeddedPostgres({ dataDir: path.resolve('.data/bench-baseline'), database: 'bench', fresh: true, durability: 'test' });
    url = pgs.url;
    stop = () => pgs.stop();
    await runMigrations(url);
  }
  const db = new pg.Pool({ connectionString: url, max: 4 });
  db.on('error', () => undefined); // idle clients cut when the private server stops
  try {
    await resetBaselines(db);
    const hour = Math.floor(Date.UTC(2021, 0, 4, 12) / 3_600_000);
    await db.query(`DELETE FROM bgp_events WHERE "timestamp" >= $1 AND "timestamp" < $2`, [new Date(hour * 3_600_000), new Date((hour + 1) * 3_600_000)]);
    const events = makeEvents(nEvents, hour);
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 20_000) await insertEventBatch(events.slice(i, i + 20_000), { recordWindows: true }, db);
    console.log(`aggregate: inserted ${nEvents.toLocaleString('en')} events of one hour in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await db.query('VACUUM ANALYZE bgp_events');
    for (const label of ['first (3 windows start)', 'again (idempotent, no change)']) {
      const t1 = performance.now();
      const res = await aggregateHour(hour, db);
      console.log(`  aggregateHour ${label}: ${((performance.now() - t1) / 1000).toFixed(2)} s, ${res.events} events, ${res.prefixes} prefixes, ${res.baselineRows} baseline rows written ${JSON.stringify(res.ms)}`);
    }
    const next = makeEvents(nEvents, hour + 1);
    for (let i = 0; i < next.length; i += 20_000) await insertEventBatch(next.slice(i, i + 20_000), { recordWindows: true }, db);
    const t2 = performance.now();
    const res2 = await aggregateHour(hour + 1, db);
    console.log(`  aggregateHour next hour (windows hold 1 hour, add 1): ${((performance.now() - t2) / 1000).toFixed(2)} s, ${res2.baselineRows} baseline rows written ${JSON.stringify(res2.ms)}`);
    const s = await db.query<{ rows: string; avg: string; total: string }>(
      `SELECT count(*)::text AS rows, avg(pg_column_size(t.*))::int::text AS avg, pg_total_relation_size('prefix_hour_stats')::text AS total FROM prefix_hour_stats t`,
    );
    const b = await db.query<{ rows: string; avg: string; total: string }>(
      `SELECT count(*)::text AS rows, avg(octet_length(state))::int::text AS avg, pg_total_relation_size('prefix_baselines')::text AS total FROM prefix_baselines`,
    );
    const srow = s.rows[0]!;
    const brow = b.rows[0]!;
    console.log(`  prefix_hour_stats: ${srow.rows} rows, ${srow.avg} B/row (tuple), ${(Number(srow.total) / Number(srow.rows)).toFixed(0)} B/row with index and overhead`);
    console.log(`  prefix_baselines: ${brow.rows} rows, state ${brow.avg} B avg, ${(Number(brow.total) / Number(brow.rows)).toFixed(0)} B/row on disk`);
    await db.query(`DELETE FROM bgp_events WHERE "timestamp" >= $1 AND "timestamp" < $2`, [new Date(hour * 3_600_000), new Date((hour + 2) * 3_600_000)]);
    await resetBaselines(db);
  } finally {
    await db.end();
    await stop?.();
  }
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with node --expose-gc for exact memory figures)');
  benchCache(Number(args.prefixes));
  if (!args['skip-db']) await benchAggregate(Number(args.events));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
