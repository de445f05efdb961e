// Insert throughput of lib/db/events.ts#insertEventBatch ("json": one statement, the batch as one
// JSON parameter) against two alternatives, "unnest" (one array parameter per column) and "copy"
// (COPY into a temp table + INSERT … SELECT … ON CONFLICT), for several batch sizes,
// with and without raw_message. Rows look like RIS Live UPDATEs (IPv4/IPv6, 2–9 hop paths,
// communities, a ~500-byte raw message). Each run starts from an empty bgp_events.
//
//   DATABASE_URL=postgresql://… npx tsx bench/db-insert.ts [--rows 200000] [--sizes 5000,10000,20000]
//       [--methods unnest,copy] [--drop-index name,name] [--concurrency 1]
//
// --drop-index drops secondary indexes first (to measure what each one costs); run
// `npm run migrate` on a fresh database afterwards to get them back.

import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pgCopy from 'pg-copy-streams';
import type { BgpEvent } from '@/lib/bgp/types';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { closeDb, getPgPool } from '@/lib/db/client';
import { insertEventBatch } from '@/lib/db/events';
import { bigintArrayLiteral, boolArrayLiteral, textArrayLiteral } from '@/lib/db/pg-array-literal';
import { ensureEventPartitions } from '@/lib/db/partitions';
import { requireDatabaseUrl } from '@/lib/env';
import { runMigrations } from '@/scripts/migrate';
import { mulberry32 } from '@/lib/util/seeded-random';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    sizes: { type: 'string', default: '5000,10000,20000' },
    methods: { type: 'string', default: 'json,unnest,copy' },
    'drop-index': { type: 'string', default: '' },
    concurrency: { type: 'string', default: '1' },
    raw: { type: 'string', default: 'off,on' },
  },
});

const rng = mulberry32;

function makeEvents(n: number, storeRaw: boolean, startUs: number): BgpEvent[] {
  const r = rng(42);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const collectors = Array.from({ length: 25 }, (_, i) => `rrc${String(i).padStart(2, '0')}`);
  const peers = Array.from({ length: 400 }, (_, i) => ({ asn: int(1000, 4_200_000_000), ip: i % 3 === 0 ? `2001:db8:${i.toString(16)}::1` : `192.0.${i % 256}.${int(1, 254)}` }));
  const out: BgpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const peer = peers[int(0, peers.length - 1)]!;
    const v6 = r() < 0.35;
    const long = r() < 0.7;
    const prefix = v6
      ? long
        ? `2a0${int(0, 9)}:${int(0x1000, 0xffff).toString(16)}:${int(0x1000, 0xffff).toString(16)}::/48`
        : `2a0${int(0, 9)}:${int(0x1000, 0xffff).toString(16)}::/32`
      : long
        ? `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.0/24`
        : `${int(1, 223)}.${int(0, 255)}.0.0/16`;
    const plen = Number(prefix.split('/')[1]);
    const withdrawal = r() < 0.15;
    const asPath = withdrawal ? [] : [peer.asn, ...Array.from({ length: int(1, 8) }, () => int(1, 400_000))];
    const timestampUs = startUs + Math.floor((i * 3_600_000_000) / n) + int(0, 999);
    const communities = withdrawal ? [] : Array.from({ length: int(0, 6) }, () => `${int(1, 65535)}:${int(0, 65535)}`);
    const collector = collectors[int(0, collectors.length - 1)]!;
    const base = {
      source: 'ris_live_bgp' as const,
      collector,
      peerAsn: peer.asn,
      peerIp: peer.ip,
      eventType: withdrawal ? ('withdrawal' as const) : ('announcement' as const),
      prefix,
      prefixLength: plen,
      originAsn: asPath.at(-1) ?? null,
      asPath,
      asPathSetMask: null,
      asPathLength: asPath.length,
      communities,
      nextHop: withdrawal ? null : peer.ip,
      med: r() < 0.3 ? int(0, 10_000) : null,
      localPref: null,
      originAttribute: withdrawal ? null : ('igp' as const),
      aggregator: null,
      timestampUs,
      rawMessage: storeRaw
        ? {
            timestamp: timestampUs / 1e6,
            peer: peer.ip,
            peer_asn: String(peer.asn),
            id: `${peer.ip}-${timestampUs}-${i}`,
            host: `${collector}.ripe.net`,
            type: 'UPDATE',
            path: asPath,
            community: communities.map((c) => c.split(':').map(Number)),
            origin: 'IGP',
            raw: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003E02000000234001010040020A02020000E15F00009312400304C43C09A5E00808E15F2EE0E15F2EE118C43246',
            announcements: withdrawal ? undefined : [{ next_hop: peer.ip, prefixes: [prefix] }],
            withdrawals: withdrawal ? [prefix] : undefined,
          }
        : null,
    };
    out.push({ ...base, dedupKey: computeDedupKey(base) });
  }
  return out;
}

/** Per-row columns as PostgreSQL text (array literals for the array columns). */
function columnsOf(e: BgpEvent): unknown[] {
  return [
    e.source, e.collector, e.peerAsn, e.peerIp, e.eventType, e.prefix, e.prefixLength, e.originAsn,
    bigintArrayLiteral(e.asPath), e.asPathSetMask ? boolArrayLiteral(e.asPathSetMask) : null, e.asPathLength,
    textArrayLiteral(e.communities), e.nextHop, e.med, e.localPref, e.originAttribute, e.aggregator, e.timestampUs,
    e.rawMessage === null ? null : JSON.stringify(e.rawMessage), e.dedupKey,
  ];
}

async function ensureFor(events: BgpEvent[]): Promise<void> {
  let minUs = Infinity;
  let maxUs = -Infinity;
  for (const e of events) {
    minUs = Math.min(minUs, e.timestampUs);
    maxUs = Math.max(maxUs, e.timestampUs);
  }
  await ensureEventPartitions(minUs, maxUs);
}

// --- alternative 1: one array parameter per column, unnest into rows (per-row arrays as literals).
async function unnestInsert(events: BgpEvent[]): Promise<number> {
  await ensureFor(events);
  const rows = events.map(columnsOf);
  const cols = Array.from({ length: 20 }, (_, c) => rows.map((r) => r[c]));
  const types = ['text', 'text', 'bigint', 'text', 'text', 'text', 'smallint', 'bigint', 'text', 'text', 'smallint', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'bigint', 'text', 'bigint'];
  const r = await getPgPool().query(
    `INSERT INTO bgp_events (source, collector, peer_asn, peer_ip, event_type, prefix, prefix_length, origin_asn, as_path,
        as_path_set_mask, as_path_length, communities, next_hop, med, local_pref, origin_attribute, aggregator, "timestamp",
        raw_message, dedup_key)
     SELECT c1, c2, c3, c4::inet, c5, c6::cidr, c7, c8, c9::bigint[], c10::boolean[], c11, c12::text[], c13::inet, c14, c15,
        c16, c17, 'epoch'::timestamptz + c18 * interval '1 microsecond', c19::jsonb, c20
       FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${types.map((_, i) => `c${i + 1}`).join(', ')})
     ON CONFLICT (dedup_key, "timestamp") DO NOTHING`,
    cols,
  );
  return r.rowCount ?? 0;
}

// --- alternative 2: COPY (text format) into a session temp table, then one INSERT … SELECT.
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

async function copyInsert(events: BgpEvent[]): Promise<number> {
  await ensureFor(events);
  const lines = events.map((e) => columnsOf(e).map(copyField).join('\t'));
  const client = await getPgPool().connect();
  try {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS bench_stage (source text, collector text, peer_asn bigint, peer_ip inet,
      event_type text, prefix cidr, prefix_length smallint, origin_asn bigint, as_path bigint[], as_path_set_mask boolean[],
      as_path_length smallint, communities text[], next_hop inet, med bigint, local_pref bigint, origin_attribute text,
      aggregator text, ts_us bigint, raw_message jsonb, dedup_key bigint)`);
    await client.query('TRUNCATE bench_stage');
    await pipeline(Readable.from([lines.join('\n') + '\n']), client.query(pgCopy.from('COPY bench_stage FROM STDIN')));
    const r = await client.query(`INSERT INTO bgp_events (source, collector, peer_asn, peer_ip, event_type, prefix, prefix_length,
        origin_asn, as_path, as_path_set_mask, as_path_length, communities, next_hop, med, local_pref, origin_attribute,
        aggregator, "timestamp", raw_message, dedup_key)
      SELECT source, collector, peer_asn, peer_ip, event_type, prefix, prefix_length, origin_asn, as_path, as_path_set_mask,
        as_path_length, communities, next_hop, med, local_pref, origin_attribute, aggregator,
        'epoch'::timestamptz + ts_us * interval '1 microsecond', raw_message, dedup_key
      FROM bench_stage ON CONFLICT (dedup_key, "timestamp") DO NOTHING`);
    return r.rowCount ?? 0;
  } finally {
    client.release();
  }
}

async function run(): Promise<void> {
  const databaseUrl = requireDatabaseUrl();
  await runMigrations(databaseUrl);
  const pool = getPgPool();
  for (const idx of (args['drop-index'] ?? '').split(',').filter(Boolean)) {
    await pool.query(`DROP INDEX IF EXISTS "${idx}"`);
    console.log(`dropped index ${idx}`);
  }
  const indexes = await pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'bgp_events' ORDER BY 1`);
  console.log(`indexes on bgp_events: ${indexes.rows.map((r) => r.indexname).join(', ')}`);
  const rows = Number(args.rows);
  const concurrency = Math.max(1, Number(args.concurrency));
  const startUs = Date.UTC(2030, 0, 1) * 1000;
  console.log(`rows per run: ${rows}, writers: ${concurrency}`);
  console.log('method  raw  batch   rows/s    ms/batch(p50)  ms/batch(max)');
  for (const raw of (args.raw ?? 'off,on').split(',')) {
    const events = makeEvents(rows, raw === 'on', startUs);
    for (const method of (args.methods ?? '').split(',')) {
      for (const size of (args.sizes ?? '').split(',').map(Number)) {
        await pool.query('TRUNCATE bgp_events');
        await pool.query('CHECKPOINT');
        const batches: BgpEvent[][] = [];
        for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
        const times: number[] = [];
        let inserted = 0;
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < batches.length) {
              const b = batches[next++]!;
              const t = performance.now();
              const n = method === 'copy' ? await copyInsert(b) : method === 'unnest' ? await unnestInsert(b) : (await insertEventBatch(b)).inserted;
              inserted += n;
              times.push(performance.now() - t);
            }
          }),
        );
        const secs = (performance.now() - started) / 1000;
        times.sort((a, b) => a - b);
        if (inserted !== rows) console.log(`  (note: inserted ${inserted} of ${rows}: dedup-key collisions in generated data)`);
        console.log(
          `${method.padEnd(7)} ${raw.padEnd(4)} ${String(size).padStart(6)} ${String(Math.round(inserted / secs)).padStart(9)} ${times[Math.floor(times.length / 2)]!.toFixed(0).padStart(14)} ${times.at(-1)!.toFixed(0).padStart(14)}`,
        );
      }
    }
  }
  const size = await pool.query<{ s: string }>(`SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS s FROM pg_inherits WHERE inhparent = 'bgp_events'::regclass`);
  console.log(`bgp_events size after the last run: ${size.rows[0]?.s}`);
}

run()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
