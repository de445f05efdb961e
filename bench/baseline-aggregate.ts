// Aggregating event-time hours into baselines at full-feed volume (lib/db/baselines.ts):
// ms per 1 M events for a first aggregation, an unchanged re-run, the next hour, and the hour
// that ends a day (which folds the day into the 7 d / 30 d windows), plus the bytes stored per
// prefix-hour and per prefix-day.
//
// Synthetic hours shaped like RIS Live: --prefixes distinct prefixes per hour, 400 peers on 25
// collectors, each (prefix, peer) on a stable path with a 20 % chance of one alternative per
// event, 15 % withdrawals, 10 % prepended paths. The share of distinct (prefix, path) pairs among
// announcements is printed: RIS's updates.20160811.1600 (5 minutes of rrc00) has 64 %; the
// defaults here give more (few repeats per (prefix, peer) in an hour), the harder case for the
// path grouping of the aggregation.
//
//   node --import tsx bench/baseline-aggregate.ts [--events 1000000] [--prefixes 200000] [--hours 3] [--keep]
//
// Uses DATABASE_URL, or starts a private throw-away PostgreSQL under .data/bench-baseline.

import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import type { BgpEvent } from '@/lib/bgp/types';
import * as baselines from '@/lib/db/baselines';
import { insertEventBatch } from '@/lib/db/events';
import { getEnv } from '@/lib/env';
import { startEmbeddedPostgres } from '@/lib/infra/embedded-postgres';
import { mulberry32 } from '@/lib/util/seeded-random';
import { runMigrations } from '@/scripts/migrate';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    prefixes: { type: 'string', default: '200000' },
    /** Hours aggregated after the first: the last one ends the day. */
    hours: { type: 'string', default: '3' },
    /** Leave the events and baselines in place (to profile the SQL afterwards with DATABASE_URL). */
    keep: { type: 'boolean', default: false },
  },
});

const HOUR_US = 3_600_000_000;
const prefixOf = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
const TRANSIT = [174, 1299, 2914, 3257, 3356, 6453, 6762, 6939, 9002, 3491];
const PEERS = Array.from({ length: 400 }, (_, i) => ({ asn: 64_512 + i, ip: `192.0.${i >> 8}.${i & 255}`, collector: `rrc${String(i % 25).padStart(2, '0')}` }));

/** The path a peer uses for a prefix: stable per (prefix, peer, variant). */
function pathFor(p: number, peer: number, variant: number): number[] {
  const r = mulberry32(p * 7919 + peer * 104_729 + variant * 15_485_863);
  const origin = 100_000 + (p % 50_000);
  const path = [PEERS[peer]!.asn, ...Array.from({ length: Math.floor(r() * 4) }, () => TRANSIT[Math.floor(r() * TRANSIT.length)]!), origin];
  if (r() < 0.1) path.splice(path.length - 1, 0, origin);
  return path;
}

function makeHour(n: number, nPrefixes: number, hour: number, seed: number): BgpEvent[] {
  const r = mulberry32(seed);
  const out: BgpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(r() * nPrefixes);
    const peer = Math.floor(r() * PEERS.length);
    const withdrawal = r() < 0.15;
    const path = withdrawal ? [] : pathFor(p, peer, r() < 0.2 ? 1 : 0);
    const e: Omit<BgpEvent, 'dedupKey'> = {
      source: 'ris_live_bgp', collector: PEERS[peer]!.collector, peerAsn: PEERS[peer]!.asn, peerIp: PEERS[peer]!.ip,
      eventType: withdrawal ? 'withdrawal' : 'announcement', prefix: prefixOf(p), prefixLength: 24,
      originAsn: withdrawal ? null : path[path.length - 1]!, asPath: path, asPathSetMask: null,
      asPathLength: path.length, communities: [], nextHop: null, med: null, localPref: null,
      originAttribute: withdrawal ? null : 'igp', aggregator: null,
      timestampUs: hour * HOUR_US + Math.floor((i / n) * (HOUR_US - 1_000_000)), rawMessage: null,
    };
    out.push({ ...e, dedupKey: computeDedupKey(e) });
  }
  return out;
}

const perMillion = (ms: number, events: number) => `${Math.round((ms / events) * 1e6).toLocaleString('en')} ms per 1 M events`;

async function main(): Promise<void> {
  const nEvents = Number(args.events);
  const nPrefixes = Number(args.prefixes);
  const nHours = Math.max(1, Number(args.hours));
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
  // The last hour aggregated is hour 23 of its day: it ends the day.
  const day = Math.floor(Date.UTC(2021, 0, 4) / 86_400_000);
  const first = day * 24 + 24 - nHours;
  const hours = Array.from({ length: nHours }, (_, i) => first + i);
  const range = [new Date(first * 3_600_000), new Date((first + nHours) * 3_600_000)];
  try {
    await baselines.resetBaselines(db);
    await db.query(`DELETE FROM bgp_events WHERE "timestamp" >= $1 AND "timestamp" < $2`, range);
    for (const [i, hour] of hours.entries()) {
      const t0 = performance.now();
      const events = makeHour(nEvents, nPrefixes, hour, 42 + i);
      for (let j = 0; j < events.length; j += 20_000) await insertEventBatch(events.slice(j, j + 20_000), { recordWindows: true }, db);
      console.log(`hour ${hour}: inserted ${nEvents.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await db.query('VACUUM ANALYZE bgp_events');
    const dup = await db.query<{ a: string; d: string }>(
      `SELECT count(*)::text AS a, count(DISTINCT (prefix, as_path))::text AS d FROM bgp_events
        WHERE "timestamp" >= $1 AND "timestamp" < $2 AND event_type = 'announcement'`,
      [range[0], new Date((first + 1) * 3_600_000)],
    );
    console.log(`  distinct (prefix, path) pairs: ${((100 * Number(dup.rows[0]!.d)) / Number(dup.rows[0]!.a)).toFixed(0)} % of the first hour's announcements`);
    const run = async (label: string, hour: number) => {
      const t = performance.now();
      const res = await baselines.aggregateHour(hour, db);
      const ms = performance.now() - t;
      const r = res as typeof res & { dayRows?: number; daysFolded?: number[]; ms?: Record<string, number> };
      console.log(`  ${label}: ${(ms / 1000).toFixed(1)} s = ${perMillion(ms, res.events)}; ${res.prefixes.toLocaleString('en')} prefixes, ` +
        `${res.baselineRows.toLocaleString('en')} window rows, ${(r.dayRows ?? 0).toLocaleString('en')} day rows written` +
        `${r.daysFolded?.length ? `, days folded ${r.daysFolded.join(',')}` : ''}; steps ${JSON.stringify(r.ms ?? {})}`);
    };
    await run('first hour (windows start)', hours[0]!);
    await run('same hour again (unchanged)', hours[0]!);
    for (const [i, hour] of hours.slice(1).entries()) await run(i === nHours - 2 ? 'next hour, ends the day (fold into 7d/30d)' : 'next hour', hour);

    const size = async (table: string, col: string) => {
      const r = await db.query<{ rows: string; avg: string | null; total: string }>(
        `SELECT count(*)::text AS rows, avg(pg_column_size(t.*))::int::text AS avg, pg_total_relation_size('${table}')::text AS total FROM ${table} t`,
      );
      const row = r.rows[0]!;
      const n = Number(row.rows);
      console.log(`  ${table}: ${n.toLocaleString('en')} rows (${col}), ${row.avg ?? 0} B/row tuple, ${n > 0 ? (Number(row.total) / n).toFixed(0) : 0} B/row with indexes and overhead`);
    };
    await size('prefix_hour_stats', 'prefix-hours');
    const hasDays = await db.query<{ ok: boolean }>(`SELECT to_regclass('prefix_day_stats') IS NOT NULL AS ok`);
    if (hasDays.rows[0]?.ok) await size('prefix_day_stats', 'prefix-days');
    await size('prefix_baselines', 'window states');
    if (!args.keep) {
      await db.query(`DELETE FROM bgp_events WHERE "timestamp" >= $1 AND "timestamp" < $2`, range);
      await baselines.resetBaselines(db);
    }
  } finally {
    await db.end();
    await stop?.();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
