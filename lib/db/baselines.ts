// Baselines in PostgreSQL: hourly per-prefix aggregates of bgp_events (prefix_hour_stats), the
// rolling window sums built from them (prefix_baselines, baseline_as_links), and the reads the
// scheduler, the run-time cache and the API need.
//
// Aggregating an hour is one transaction under a session advisory lock (one writer at a time, so
// the rolling sums are never updated from two places): the hour's rows are recomputed by one
// GROUP BY inside PostgreSQL, and each window gets (new - old) of the hour plus the subtraction
// of the hours it leaves behind (lib/baseline/windows.ts). The merge itself runs in JS on the
// packed states (lib/baseline/accumulator.ts), only for the prefixes those hours touch.

import type pg from 'pg';
import { BaselineAccumulator, linkKey, parseLinkKey, type Sign } from '@/lib/baseline/accumulator';
import type { BaselineMeta, BaselineRow, BaselineSource } from '@/lib/baseline/cache';
import { BaselineView, encodeBaseline } from '@/lib/baseline/codec';
import { summarizeBaseline } from '@/lib/baseline/summary';
import { BASELINE_WINDOWS, WINDOW_HOURS, windowFromHours, type BaselineSummary, type BaselineWindow, type PrefixHourStats } from '@/lib/baseline/types';
import { hourStartUs, nextAsOf, planWindowUpdate, type AggregatedHour, type HourCounts } from '@/lib/baseline/windows';
import { microsToIso } from '@/lib/api/serialize';
import { getPgPool } from '@/lib/db/client';
import { partitionForHour } from '@/lib/db/event-partition-bounds';
import { listEventPartitions } from '@/lib/db/partitions';

/** Serializes baseline writers across processes. */
const BASELINE_LOCK = 7_150_301;

// Path key as lib/baseline/path-key.ts computes it: prepending collapsed, md5, first 32 bits.
const PATH_KEY_SQL = `('x' || left(md5(array_to_string(ARRAY(
    SELECT u.a FROM unnest(e.as_path) WITH ORDINALITY AS u(a, i) WHERE u.i = 1 OR u.a <> e.as_path[u.i - 1] ORDER BY u.i), ' ')), 8))::bit(32)::int`;

// The hour's aggregate, computed from the raw events in one statement. Origins, paths, lengths
// and links count announcements; links skip prepending (a = b) and AS_SET members, whose
// adjacency is unknown.
const AGGREGATE_SQL = `WITH e AS MATERIALIZED (
    SELECT prefix, collector, peer_ip, event_type = 'announcement' AS ann, origin_asn, as_path, as_path_set_mask, as_path_length
      FROM bgp_events WHERE "timestamp" >= $1::timestamptz AND "timestamp" < $2::timestamptz),
  base AS (
    SELECT prefix, count(*) FILTER (WHERE ann)::int AS a, count(*) FILTER (WHERE NOT ann)::int AS w,
           count(DISTINCT (collector, peer_ip)) FILTER (WHERE ann)::int AS peers,
           coalesce(array_agg(DISTINCT collector) FILTER (WHERE ann), '{}') AS colls
      FROM e GROUP BY prefix),
  o AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT prefix, origin_asn AS v, count(*)::int AS n FROM e WHERE ann AND origin_asn IS NOT NULL GROUP BY 1, 2) x GROUP BY prefix),
  p AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT prefix, v, count(*)::int AS n FROM (SELECT e.prefix, ${PATH_KEY_SQL} AS v FROM e WHERE e.ann) y GROUP BY 1, 2) x GROUP BY prefix),
  len AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT prefix, as_path_length AS v, count(*)::int AS n FROM e WHERE ann GROUP BY 1, 2) x GROUP BY prefix),
  l AS (SELECT prefix, array_agg(f ORDER BY f, t) AS f, array_agg(t ORDER BY f, t) AS t, array_agg(n ORDER BY f, t) AS n FROM (
      SELECT e.prefix, k.f, k.t, count(*)::int AS n
        FROM e CROSS JOIN LATERAL unnest(e.as_path[1:cardinality(e.as_path) - 1], e.as_path[2:],
               coalesce(e.as_path_set_mask[1:cardinality(e.as_path) - 1], '{}'), coalesce(e.as_path_set_mask[2:], '{}')) AS k(f, t, mf, mt)
       WHERE e.ann AND k.f <> k.t AND NOT coalesce(k.mf, false) AND NOT coalesce(k.mt, false)
       GROUP BY 1, 2, 3) x GROUP BY prefix)
  INSERT INTO prefix_hour_stats AS s (hour, prefix, announcements, withdrawals, peers, collectors, origins, origin_counts,
      link_from, link_to, link_counts, path_keys, path_counts, path_lengths, path_length_counts)
  SELECT $3::int, b.prefix, b.a, b.w, b.peers, b.colls, coalesce(o.v, '{}'), coalesce(o.n, '{}'),
         coalesce(l.f, '{}'), coalesce(l.t, '{}'), coalesce(l.n, '{}'), coalesce(p.v, '{}'), coalesce(p.n, '{}'),
         coalesce(len.v, '{}'), coalesce(len.n, '{}')
    FROM base b LEFT JOIN o USING (prefix) LEFT JOIN p USING (prefix) LEFT JOIN len USING (prefix) LEFT JOIN l USING (prefix)`;

// Selected under the field names of PrefixHourStats, so rows need no mapping. BIGINT arrays are
// read as float8[] (exact below 2^53, which every ASN is) to arrive as numbers.
const STATS_COLUMNS = `s.hour, s.prefix::text AS prefix, s.announcements, s.withdrawals, s.peers, s.collectors,
  s.origins::float8[] AS origins, s.origin_counts AS "originCounts", s.link_from::float8[] AS "linkFrom",
  s.link_to::float8[] AS "linkTo", s.link_counts AS "linkCounts", s.path_keys AS "pathKeys", s.path_counts AS "pathCounts",
  s.path_lengths AS "pathLengths", s.path_length_counts AS "pathLengthCounts"`;

export interface AggregateHourResult {
  hour: number;
  /** 'aggregated'; or 'no-partition' (raw events gone or never there: stored aggregates kept). */
  status: 'aggregated' | 'no-partition';
  events: number;
  prefixes: number;
  /** prefix_baselines rows written, all windows together. */
  baselineRows: number;
}

type Client = pg.PoolClient;

/**
 * (Re)computes one event-time hour's aggregates from bgp_events and folds the change into the
 * 24 h / 7 d / 30 d rolling sums. Idempotent: running it again on unchanged events rewrites the
 * same aggregate rows and leaves every baseline as it was.
 */
export async function aggregateHour(hour: number, db: pg.Pool = getPgPool()): Promise<AggregateHourResult> {
  const client = await db.connect();
  let locked = false;
  try {
    // A session lock taken before the transaction: the repeatable-read snapshot below must start
    // after the previous writer committed, or its rolling sums would be overwritten.
    await client.query('SELECT pg_advisory_lock($1)', [BASELINE_LOCK]);
    locked = true;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const result = await aggregateInTransaction(client, hour);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [BASELINE_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function aggregateInTransaction(client: Client, hour: number): Promise<AggregateHourResult> {
  const fromIso = microsToIso(hourStartUs(hour));
  const toIso = microsToIso(hourStartUs(hour + 1));
  const part = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [partitionForHour(hour).name]);
  if (!part.rows[0]?.ok) return { hour, status: 'no-partition', events: 0, prefixes: 0, baselineRows: 0 };

  const old = await client.query<PrefixHourStats>(`DELETE FROM prefix_hour_stats s WHERE s.hour = $1 RETURNING ${STATS_COLUMNS}`, [hour]);
  const fresh = await client.query<PrefixHourStats>(`${AGGREGATE_SQL} RETURNING ${STATS_COLUMNS}`, [fromIso, toIso, hour]);
  const win = await client.query<{ n: string }>(
    `SELECT coalesce(sum(event_count), 0)::text AS n FROM ingest_windows WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz`,
    [fromIso, toIso],
  );
  const newRows = fresh.rows;
  const events = newRows.reduce((s, r) => s + r.announcements + r.withdrawals, 0);
  await client.query(
    `INSERT INTO baseline_hours (hour, events, window_events, prefixes, aggregated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (hour) DO UPDATE SET events = EXCLUDED.events, window_events = EXCLUDED.window_events,
       prefixes = EXCLUDED.prefixes, aggregated_at = now()`,
    [hour, events, win.rows[0]?.n ?? '0', newRows.length],
  );

  const st = await client.query<{ as_of_hour: number | null }>('SELECT as_of_hour FROM baseline_state WHERE id = 1 FOR UPDATE');
  const asOf = st.rows[0]?.as_of_hour ?? null;
  const changes = changedRows(old.rows, newRows);
  let baselineRows = 0;
  for (const window of BASELINE_WINDOWS) {
    const plan = planWindowUpdate(hour, asOf, WINDOW_HOURS[window]);
    // Not push(...changes): a firehose hour has ~200,000 changed prefixes, past the argument limit.
    const deltas: { row: PrefixHourStats; sign: Sign }[] = plan.applyHour ? changes.slice() : [];
    if (plan.expire.length > 0) {
      const gone = await client.query<PrefixHourStats>(`SELECT ${STATS_COLUMNS} FROM prefix_hour_stats s WHERE s.hour = ANY($1::int[])`, [plan.expire]);
      for (const r of gone.rows) deltas.push({ row: r, sign: -1 });
    }
    baselineRows += await applyDeltas(client, window, deltas);
  }
  await client.query('UPDATE baseline_state SET as_of_hour = $1, updated_at = now() WHERE id = 1', [nextAsOf(hour, asOf)]);
  return { hour, status: 'aggregated', events, prefixes: newRows.length, baselineRows };
}

/**
 * (new - old) of a recomputed hour as signed rows, leaving out prefixes whose row did not change:
 * a re-run or a backfill that touched a few prefixes then costs only those.
 */
function changedRows(oldRows: readonly PrefixHourStats[], newRows: readonly PrefixHourStats[]): { row: PrefixHourStats; sign: Sign }[] {
  const before = new Map(oldRows.map((r) => [r.prefix, r]));
  const out: { row: PrefixHourStats; sign: Sign }[] = [];
  for (const r of newRows) {
    const o = before.get(r.prefix);
    before.delete(r.prefix);
    if (o && JSON.stringify(o) === JSON.stringify(r)) continue;
    if (o) out.push({ row: o, sign: -1 });
    out.push({ row: r, sign: 1 });
  }
  for (const o of before.values()) out.push({ row: o, sign: -1 });
  return out;
}

/** Folds hour rows (+/-) into one window's stored sums; writes only the states that changed. */
async function applyDeltas(client: Client, window: BaselineWindow, deltas: readonly { row: PrefixHourStats; sign: Sign }[]): Promise<number> {
  if (deltas.length === 0) return 0;
  const windowHours = WINDOW_HOURS[window];
  const byPrefix = new Map<string, { row: PrefixHourStats; sign: Sign }[]>();
  const linkDelta = new Map<string, number>();
  for (const d of deltas) {
    let list = byPrefix.get(d.row.prefix);
    if (!list) byPrefix.set(d.row.prefix, (list = []));
    list.push(d);
    d.row.linkFrom.forEach((f, i) => {
      const k = linkKey(f, d.row.linkTo[i] ?? 0);
      linkDelta.set(k, (linkDelta.get(k) ?? 0) + d.sign * (d.row.linkCounts[i] ?? 0));
    });
  }
  const prefixes = [...byPrefix.keys()];
  const current = await client.query<{ prefix: string; state: Buffer | null }>(
    'SELECT prefix::text AS prefix, state FROM prefix_baselines WHERE window_hours = $1 AND prefix = ANY($2::cidr[])',
    [windowHours, prefixes],
  );
  const stored = new Map(current.rows.map((r) => [r.prefix, r.state]));
  const outPrefixes: string[] = [];
  const outStates: (Buffer | null)[] = [];
  for (const [prefix, list] of byPrefix) {
    const before = stored.get(prefix) ?? null;
    const acc = before ? BaselineView.fromBytes(before).toAccumulator() : new BaselineAccumulator();
    for (const d of list) acc.apply(d.row, d.sign);
    const after = acc.isEmpty() ? null : Buffer.from(encodeBaseline(acc));
    if (after === null ? before === null : before !== null && before.equals(after)) continue;
    outPrefixes.push(prefix);
    outStates.push(after);
  }
  if (outPrefixes.length > 0) {
    // Prefixes whose window emptied keep a tombstone row (state NULL) so refreshing caches drop them.
    await client.query(
      `INSERT INTO prefix_baselines (window_hours, prefix, state, seq)
       SELECT $1, u.prefix, u.state, nextval('prefix_baselines_seq') FROM unnest($2::cidr[], $3::bytea[]) AS u(prefix, state)
       ON CONFLICT (window_hours, prefix) DO UPDATE SET state = EXCLUDED.state, seq = EXCLUDED.seq`,
      [windowHours, outPrefixes, outStates],
    );
  }
  await applyLinkDelta(client, windowHours, linkDelta);
  return outPrefixes.length;
}

async function applyLinkDelta(client: Client, windowHours: number, delta: ReadonlyMap<string, number>): Promise<void> {
  const from: number[] = [];
  const to: number[] = [];
  const n: number[] = [];
  for (const [k, d] of delta) {
    if (d === 0) continue;
    const [f, t] = parseLinkKey(k);
    from.push(f);
    to.push(t);
    n.push(d);
  }
  if (from.length === 0) return;
  await client.query(
    `WITH d AS (SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS d(f, t, n) ORDER BY f, t),
     up AS (INSERT INTO baseline_as_links AS a (window_hours, asn_from, asn_to, count) SELECT $1, f, t, n FROM d
            ON CONFLICT (window_hours, asn_from, asn_to) DO UPDATE SET count = a.count + EXCLUDED.count RETURNING a.asn_from, a.asn_to, a.count)
     DELETE FROM baseline_as_links x USING up WHERE x.window_hours = $1 AND x.asn_from = up.asn_from AND x.asn_to = up.asn_to AND up.count <= 0`,
    [windowHours, from, to, n],
  );
}

// ---------------------------------------------------------------------------------------------
// Scheduling

/** Newest event time stored (µs), from the events and the ingest counts; null when there is none. */
export async function maxEventTimeUs(db: pg.Pool = getPgPool()): Promise<number | null> {
  const r = await db.query<{ us: string | null }>(
    `SELECT ((extract(epoch from greatest((SELECT max("timestamp") FROM bgp_events), (SELECT max(last_event_at) FROM ingest_windows))) * 1000000)::bigint)::text AS us`,
  );
  const us = r.rows[0]?.us;
  return us === null || us === undefined ? null : Number(us);
}

/**
 * Hours that still have a raw partition, with their ingest_windows count (null when no writer
 * counted them): the only hours that can be (re)aggregated.
 */
export async function listHourCandidates(db: pg.Pool = getPgPool()): Promise<HourCounts[]> {
  const hours = (await listEventPartitions(db)).map((p) => Math.floor(p.fromUs / 3_600_000_000));
  if (hours.length === 0) return [];
  const r = await db.query<{ hour: number; n: string }>(
    `SELECT floor(extract(epoch from window_start) / 3600)::int AS hour, sum(event_count)::text AS n
       FROM ingest_windows WHERE window_start >= $1::timestamptz GROUP BY 1`,
    [microsToIso(hourStartUs(Math.min(...hours)))],
  );
  const counts = new Map(r.rows.map((row) => [row.hour, Number(row.n)]));
  return hours.map((hour) => ({ hour, windowEvents: counts.get(hour) ?? null }));
}

export async function listAggregatedHours(fromHour: number, db: pg.Pool = getPgPool()): Promise<AggregatedHour[]> {
  const r = await db.query<{ hour: number; n: string }>('SELECT hour, window_events::text AS n FROM baseline_hours WHERE hour >= $1', [fromHour]);
  return r.rows.map((row) => ({ hour: row.hour, windowEvents: Number(row.n) }));
}

/**
 * Forgets what no window needs any more: hour aggregates older than the 30-day window (plus a
 * day of slack) and tombstones (caches that missed them reload in full, see purged_seq).
 */
export async function purgeBaselineHistory(opts: { purgeTombstones: boolean }, db: pg.Pool = getPgPool()): Promise<{ hours: number; tombstones: number }> {
  const r = await db.query<{ n: string }>(
    `WITH d AS (DELETE FROM prefix_hour_stats WHERE hour <= (SELECT as_of_hour FROM baseline_state WHERE id = 1) - $1 RETURNING hour)
     SELECT count(DISTINCT hour)::text AS n FROM d`,
    [WINDOW_HOURS['30d'] + 24],
  );
  let tombstones = 0;
  if (opts.purgeTombstones) {
    const t = await db.query<{ n: string }>(
      `WITH d AS (DELETE FROM prefix_baselines WHERE state IS NULL RETURNING seq),
       u AS (UPDATE baseline_state SET purged_seq = greatest(purged_seq, coalesce((SELECT max(seq) FROM d), 0)) WHERE id = 1)
       SELECT count(*)::text AS n FROM d`,
    );
    tombstones = Number(t.rows[0]?.n ?? 0);
  }
  return { hours: Number(r.rows[0]?.n ?? 0), tombstones };
}

// ---------------------------------------------------------------------------------------------
// Reads

/** Newest aggregated hour, purge watermark, and aggregated hours inside each window. */
export async function getBaselineMeta(db: pg.Pool | Client = getPgPool()): Promise<BaselineMeta> {
  const r = await db.query<{ as_of_hour: number | null; purged_seq: string; h24: number; h168: number; h720: number }>(
    `SELECT s.as_of_hour, s.purged_seq::text AS purged_seq,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour > s.as_of_hour - 24 AND h.hour <= s.as_of_hour) AS h24,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour > s.as_of_hour - 168 AND h.hour <= s.as_of_hour) AS h168,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour > s.as_of_hour - 720 AND h.hour <= s.as_of_hour) AS h720
       FROM baseline_state s WHERE s.id = 1`,
  );
  const row = r.rows[0];
  return {
    asOfHour: row?.as_of_hour ?? null,
    purgedSeq: Number(row?.purged_seq ?? 0),
    hoursCovered: { '24h': row?.h24 ?? 0, '7d': row?.h168 ?? 0, '30d': row?.h720 ?? 0 },
  };
}

/** The baseline of one prefix (canonical CIDR) for one window; null when there is none. */
export async function getPrefixBaseline(prefix: string, window: BaselineWindow, db: pg.Pool = getPgPool()): Promise<BaselineSummary | null> {
  const [meta, r] = await Promise.all([
    getBaselineMeta(db),
    db.query<{ state: Buffer | null }>('SELECT state FROM prefix_baselines WHERE window_hours = $1 AND prefix = $2::cidr', [WINDOW_HOURS[window], prefix]),
  ]);
  const state = r.rows[0]?.state;
  if (!state || meta.asOfHour === null) return null;
  return summarizeBaseline(BaselineView.fromBytes(state), { window, asOfHour: meta.asOfHour, hoursCovered: meta.hoursCovered[window] });
}

/** Stored hour aggregates of one prefix in [fromHour, toHour], oldest first. */
export async function listPrefixHourStats(prefix: string, fromHour: number, toHour: number, db: pg.Pool = getPgPool()): Promise<PrefixHourStats[]> {
  const r = await db.query<PrefixHourStats>(
    `SELECT ${STATS_COLUMNS} FROM prefix_hour_stats s WHERE s.prefix = $1::cidr AND s.hour BETWEEN $2 AND $3 ORDER BY s.hour`,
    [prefix, fromHour, toHour],
  );
  return r.rows;
}

/** The run-time cache's view of prefix_baselines (lib/baseline/cache.ts). */
export function pgBaselineSource(db: pg.Pool = getPgPool()): BaselineSource {
  return {
    getMeta: () => getBaselineMeta(db),
    async listChanges(afterSeq: number, limit: number): Promise<BaselineRow[]> {
      const r = await db.query<{ window_hours: number; prefix: string; state: Buffer | null; seq: string }>(
        `SELECT window_hours, prefix::text AS prefix, state, seq::text AS seq FROM prefix_baselines
          WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [afterSeq, limit],
      );
      return r.rows.flatMap((row) => {
        const window = windowFromHours(row.window_hours);
        return window ? [{ window, prefix: row.prefix, state: row.state, seq: Number(row.seq) }] : [];
      });
    },
    async listLinkHints(window: BaselineWindow) {
      const r = await db.query<{ f: string; t: string; n: string }>(
        'SELECT asn_from::text AS f, asn_to::text AS t, count::text AS n FROM baseline_as_links WHERE window_hours = $1',
        [WINDOW_HOURS[window]],
      );
      return r.rows.map((row) => ({ from: Number(row.f), to: Number(row.t), count: Number(row.n) }));
    },
  };
}

/** Empties every baseline table (tests and re-initialisation). */
export async function resetBaselines(db: pg.Pool = getPgPool()): Promise<void> {
  await db.query('TRUNCATE prefix_hour_stats, baseline_hours, prefix_baselines, baseline_as_links');
  // Every row a cache holds is gone without a tombstone: make caches reload in full.
  await db.query(
    `UPDATE baseline_state SET as_of_hour = NULL, purged_seq = (SELECT CASE WHEN is_called THEN last_value + 1 ELSE 0 END FROM prefix_baselines_seq) WHERE id = 1`,
  );
}
