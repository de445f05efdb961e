// Baselines in PostgreSQL: hourly per-prefix aggregates of bgp_events (prefix_hour_stats), day
// sums per prefix (prefix_day_stats), the rolling window sums built from them (prefix_baselines,
// baseline_as_links), and the reads the scheduler, the run-time cache and the API need.
//
// Aggregating an hour is one transaction under a session advisory lock (one writer at a time, so
// the rolling sums are never updated from two places): the hour's rows are recomputed by one
// GROUP BY inside PostgreSQL; the 24 h window gets (new - old) of the hour plus the subtraction
// of the hours it leaves behind (lib/baseline/windows.ts); the hour's day row gets (new - old)
// too. When a day ends it is bounded (top origins / links / paths) and folded into the 7 d and
// 30 d windows, which are sums of whole days: they cost one merge per prefix and day, not per
// hour, and need hour rows for two days only (storage per prefix-day: one bounded row instead
// of 24). The merges run in JS on the packed states (lib/baseline/accumulator.ts), only for the
// prefixes a step touches.

import type pg from 'pg';
import { BaselineAccumulator, linkKey, parseLinkKey, type Sign, type TrimLimits, type TrimmedCounts } from '@/lib/baseline/accumulator';
import type { BaselineMeta, BaselineRow, BaselineSource } from '@/lib/baseline/cache';
import { BaselineView, encodeBaseline } from '@/lib/baseline/codec';
import { summarizeBaseline } from '@/lib/baseline/summary';
import { BASELINE_WINDOWS, WINDOW_HOURS, windowFromHours, type BaselineSummary, type BaselineWindow, type PrefixHourStats } from '@/lib/baseline/types';
import { hourStartUs, inWindow, nextAsOf, planWindowUpdate, type AggregatedHour, type HourCounts } from '@/lib/baseline/windows';
import { microsToIso } from '@/lib/api/serialize';
import { getPgPool } from '@/lib/db/client';
import { partitionForHour } from '@/lib/db/event-partition-bounds';
import { listEventPartitions } from '@/lib/db/partitions';
import { applyRibUpdates } from '@/lib/db/rib-visibility';

/** Serializes baseline writers across processes. */
const BASELINE_LOCK = 7_150_301;

// Path key as lib/baseline/path-key.ts computes it: prepending collapsed, md5, first 32 bits.
const PATH_KEY_SQL = `('x' || left(md5(array_to_string(ARRAY(
    SELECT u.a FROM unnest(d.as_path) WITH ORDINALITY AS u(a, i) WHERE u.i = 1 OR u.a <> d.as_path[u.i - 1] ORDER BY u.i), ' ')), 8))::bit(32)::int`;

// The hour's aggregate, computed from the raw events in one statement. Origins, paths, lengths
// and links count announcements; links skip prepending (a = b) and AS_SET members, whose
// adjacency is unknown. Peers and collectors: where a collector has a RIB-derived peer set for
// the prefix (lib/db/rib-visibility.ts, brought to the hour's end just before), the peers that
// carry it; elsewhere the peers that announced it in the hour. Announcements are first grouped by (prefix, path): a route re-announced
// (by other peers, or again with other attributes) is hashed and split into links once, with
// its count, instead of once per event. The per-prefix totals come from a second scan of the
// hour's partition, which is cheaper than materializing every event for both.
const AGGREGATE_SQL = `WITH d AS MATERIALIZED (
    SELECT prefix, as_path, as_path_set_mask, origin_asn, as_path_length, count(*)::int AS n
      FROM bgp_events WHERE "timestamp" >= $1::timestamptz AND "timestamp" < $2::timestamptz AND event_type = 'announcement'
     GROUP BY 1, 2, 3, 4, 5),
  ev AS (
    SELECT e.prefix, count(*) FILTER (WHERE e.event_type = 'announcement')::int AS a, count(*) FILTER (WHERE e.event_type <> 'announcement')::int AS w,
           count(DISTINCT (e.collector, e.peer_ip)) FILTER (WHERE e.event_type = 'announcement' AND r.prefix IS NULL)::int AS peers,
           coalesce(array_agg(DISTINCT e.collector) FILTER (WHERE e.event_type = 'announcement' AND r.prefix IS NULL), '{}') AS colls
      FROM bgp_events e LEFT JOIN prefix_rib_state r ON r.collector = e.collector AND r.prefix = e.prefix
     WHERE e."timestamp" >= $1::timestamptz AND e."timestamp" < $2::timestamptz GROUP BY e.prefix),
  rib AS (
    SELECT r.prefix, sum(cardinality(r.peers))::int AS peers, coalesce(array_agg(r.collector) FILTER (WHERE cardinality(r.peers) > 0), '{}') AS colls
      FROM prefix_rib_state r WHERE r.prefix IN (SELECT prefix FROM ev) GROUP BY r.prefix),
  base AS (
    SELECT ev.prefix, ev.a, ev.w, ev.peers + coalesce(rib.peers, 0) AS peers,
           ARRAY(SELECT DISTINCT c FROM unnest(ev.colls || coalesce(rib.colls, '{}')) AS c ORDER BY 1) AS colls
      FROM ev LEFT JOIN rib USING (prefix)),
  o AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT prefix, origin_asn AS v, sum(n)::int AS n FROM d WHERE origin_asn IS NOT NULL GROUP BY 1, 2) x GROUP BY prefix),
  p AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT d.prefix, ${PATH_KEY_SQL} AS v, sum(d.n)::int AS n FROM d GROUP BY 1, 2) x GROUP BY prefix),
  len AS (SELECT prefix, array_agg(v ORDER BY v) AS v, array_agg(n ORDER BY v) AS n FROM (
      SELECT prefix, as_path_length AS v, sum(n)::int AS n FROM d GROUP BY 1, 2) x GROUP BY prefix),
  l AS (SELECT prefix, array_agg(f ORDER BY f, t) AS f, array_agg(t ORDER BY f, t) AS t, array_agg(n ORDER BY f, t) AS n FROM (
      SELECT d.prefix, k.f, k.t, sum(d.n)::int AS n
        FROM d CROSS JOIN LATERAL unnest(d.as_path[1:cardinality(d.as_path) - 1], d.as_path[2:],
               coalesce(d.as_path_set_mask[1:cardinality(d.as_path) - 1], '{}'), coalesce(d.as_path_set_mask[2:], '{}')) AS k(f, t, mf, mt)
       WHERE k.f <> k.t AND NOT coalesce(k.mf, false) AND NOT coalesce(k.mt, false)
       GROUP BY 1, 2, 3) x GROUP BY prefix)
  INSERT INTO prefix_hour_stats AS s (hour, prefix, announcements, withdrawals, peers, collectors, origins, origin_counts,
      link_from, link_to, link_counts, path_keys, path_counts, path_lengths, path_length_counts)
  SELECT $3::int, b.prefix, b.a, b.w, b.peers, b.colls, coalesce(o.v, '{}'), coalesce(o.n, '{}'),
         coalesce(l.f, '{}'), coalesce(l.t, '{}'), coalesce(l.n, '{}'), coalesce(p.v, '{}'), coalesce(p.n, '{}'),
         coalesce(len.v, '{}'), coalesce(len.n, '{}')
    FROM base b LEFT JOIN o USING (prefix) LEFT JOIN p USING (prefix) LEFT JOIN len USING (prefix) LEFT JOIN l USING (prefix)`;

/**
 * Memory for the aggregation's hash tables and sorts, for its transaction only: with the
 * server's default (4-16 MB) a firehose hour spills every GROUP BY to disk. One aggregation runs
 * at a time (advisory lock), so this is taken once.
 */
const AGGREGATE_WORK_MEM = '256MB';

// Selected under the field names of PrefixHourStats, so rows need no mapping. BIGINT arrays are
// read as float8[] (exact below 2^53, which every ASN is) to arrive as numbers.
const STATS_COLUMNS = `s.hour, s.prefix::text AS prefix, s.announcements, s.withdrawals, s.peers, s.collectors,
  s.origins::float8[] AS origins, s.origin_counts AS "originCounts", s.link_from::float8[] AS "linkFrom",
  s.link_to::float8[] AS "linkTo", s.link_counts AS "linkCounts", s.path_keys AS "pathKeys", s.path_counts AS "pathCounts",
  s.path_lengths AS "pathLengths", s.path_length_counts AS "pathLengthCounts"`;

/** The windows built from whole days (the rest, 24 h, from hour rows). */
const DAY_WINDOWS = ['7d', '30d'] as const satisfies readonly BaselineWindow[];
export const windowDays = (w: BaselineWindow): number => WINDOW_HOURS[w] / 24;
export const dayOfHour = (hour: number): number => Math.floor(hour / 24);

/**
 * Bound of a finished day row (per prefix): the most counted origins, adjacent AS pairs and
 * paths. A stable prefix has a handful of each; the bound only cuts pathological ones (route
 * flapping through hundreds of paths), and what it drops is counted in other_*.
 */
export const DAY_ROW_LIMITS: TrimLimits = { origins: 32, links: 256, paths: 128 };

/** Prefixes per statement when streaming a day's rows (bounded memory at 1 M prefixes). */
let DAY_CHUNK = 20_000;

/** Tests: a small chunk, so a handful of prefixes crosses chunk boundaries. */
export function setDayChunkForTests(n: number): void {
  DAY_CHUNK = n;
}

export interface AggregateHourResult {
  hour: number;
  /** 'aggregated'; or 'no-partition' (raw events gone or never there: stored aggregates kept). */
  status: 'aggregated' | 'no-partition';
  events: number;
  prefixes: number;
  /** prefix_baselines rows written, all windows together. */
  baselineRows: number;
  /** Day rows written (the hour's own day, and days bounded when they ended). */
  dayRows: number;
  /** Days folded into the 7 d / 30 d windows by this step (the days that ended). */
  daysFolded: number[];
  /**
   * Set when the hour's old row was already pruned (a backfill of an hour older than the hour
   * rows kept): its change cannot be told apart, so its day and the 7 d / 30 d windows were left
   * as they were. Counted here and logged by the worker.
   */
  dayUpdateSkipped?: 'hour-rows-pruned';
  /** RIB-derived peer sets (lib/db/rib-visibility.ts) the hour's updates changed. */
  ribSetsUpdated: number;
  /** Wall-clock ms per step (for the benchmark and the job log). */
  ms: Record<string, number>;
}

type Client = pg.PoolClient;

/** Runs fn in one REPEATABLE READ transaction under the baseline writers' session lock. */
async function withBaselineLock<T>(db: pg.Pool, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let locked = false;
  try {
    // A session lock taken before the transaction: the repeatable-read snapshot below must start
    // after the previous writer committed, or its rolling sums would be overwritten.
    await client.query('SELECT pg_advisory_lock($1)', [BASELINE_LOCK]);
    locked = true;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const result = await fn(client);
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

/**
 * (Re)computes one event-time hour's aggregates from bgp_events and folds the change into the
 * 24 h window and the hour's day row; when the step completes days, folds them into the 7 d /
 * 30 d windows. Idempotent: running it again on unchanged events rewrites the same hour rows
 * and leaves every day row and window as it was.
 */
export async function aggregateHour(hour: number, db: pg.Pool = getPgPool()): Promise<AggregateHourResult> {
  return withBaselineLock(db, (client) => aggregateInTransaction(client, hour));
}

interface BaselineStateRow {
  as_of_hour: number | null;
  as_of_day: number | null;
  hours_pruned_before: number | null;
}

async function aggregateInTransaction(client: Client, hour: number): Promise<AggregateHourResult> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    ms[name] = Math.round((ms[name] ?? 0) + now - t);
    t = now;
  };
  const fromIso = microsToIso(hourStartUs(hour));
  const toIso = microsToIso(hourStartUs(hour + 1));
  const part = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [partitionForHour(hour).name]);
  if (!part.rows[0]?.ok) return { hour, status: 'no-partition', events: 0, prefixes: 0, baselineRows: 0, dayRows: 0, daysFolded: [], ribSetsUpdated: 0, ms };

  await client.query(`SET LOCAL work_mem = '${AGGREGATE_WORK_MEM}'`);
  // The RIB peer sets first, so the hour's visibility counts who carries the prefix at its end.
  const ribSets = await applyRibUpdates(client, fromIso, toIso);
  lap('ribSets');
  const old = await client.query<PrefixHourStats>(`DELETE FROM prefix_hour_stats s WHERE s.hour = $1 RETURNING ${STATS_COLUMNS}`, [hour]);
  lap('delete');
  const fresh = await client.query<PrefixHourStats>(`${AGGREGATE_SQL} RETURNING ${STATS_COLUMNS}`, [fromIso, toIso, hour]);
  lap('aggregate');
  const win = await client.query<{ n: string }>(
    `SELECT coalesce(sum(event_count), 0)::text AS n FROM ingest_windows WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz`,
    [fromIso, toIso],
  );
  const newRows = fresh.rows;
  const events = newRows.reduce((sum, r) => sum + r.announcements + r.withdrawals, 0);
  await client.query(
    `INSERT INTO baseline_hours (hour, events, window_events, prefixes, aggregated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (hour) DO UPDATE SET events = EXCLUDED.events, window_events = EXCLUDED.window_events,
       prefixes = EXCLUDED.prefixes, aggregated_at = now()`,
    [hour, events, win.rows[0]?.n ?? '0', newRows.length],
  );

  const st = await client.query<BaselineStateRow>('SELECT as_of_hour, as_of_day, hours_pruned_before FROM baseline_state WHERE id = 1 FOR UPDATE');
  const state = st.rows[0] ?? { as_of_hour: null, as_of_day: null, hours_pruned_before: null };
  const changes = changedRows(old.rows, newRows);
  lap('diff');

  // 24 h: hour rows, rolled hour by hour.
  let baselineRows = 0;
  const plan = planWindowUpdate(hour, state.as_of_hour, WINDOW_HOURS['24h']);
  const deltas: Delta[] = plan.applyHour ? changes.map((c) => ({ prefix: c.row.prefix, sign: c.sign, row: c.row })) : [];
  if (plan.expire.length > 0) {
    const gone = await client.query<PrefixHourStats>(`SELECT ${STATS_COLUMNS} FROM prefix_hour_stats s WHERE s.hour = ANY($1::int[])`, [plan.expire]);
    for (const r of gone.rows) deltas.push({ prefix: r.prefix, sign: -1, row: r });
  }
  baselineRows += (await mergeIntoWindow(client, '24h', deltas)).written;
  lap('window24h');

  // The hour's day row takes (new - old) of the hour. A day already folded into the 7 d / 30 d
  // windows stays bounded, and the windows take (after - before) of its row, so they always
  // equal the sum of the stored day rows they cover.
  let dayRows = 0;
  let dayUpdateSkipped: AggregateHourResult['dayUpdateSkipped'];
  const day = dayOfHour(hour);
  if (state.hours_pruned_before !== null && hour < state.hours_pruned_before) {
    dayUpdateSkipped = 'hour-rows-pruned';
  } else if (changes.length > 0) {
    const folded = state.as_of_day !== null && day <= state.as_of_day;
    const dayResult = await mergeIntoDay(
      client,
      day,
      changes.map((c) => ({ prefix: c.row.prefix, sign: c.sign, row: c.row })),
      folded,
    );
    dayRows += dayResult.written;
    lap('day');
    if (folded) {
      for (const w of DAY_WINDOWS) {
        if (!inWindow(day, state.as_of_day!, windowDays(w))) continue;
        baselineRows += (await mergeIntoWindow(client, w, dayResult.changes)).written;
      }
      lap('dayWindows');
    }
  }

  const asOfHour = nextAsOf(hour, state.as_of_hour);
  // A day is complete once the newest aggregated hour is its last: hours are aggregated oldest
  // first, after their grace period.
  const completeDay = dayOfHour(asOfHour + 1) - 1;
  let asOfDay = state.as_of_day;
  const daysFolded: number[] = [];
  if (asOfDay === null || completeDay > asOfDay) {
    const folded = await foldDays(client, asOfDay, completeDay);
    baselineRows += folded.baselineRows;
    dayRows += folded.dayRows;
    daysFolded.push(...folded.days);
    asOfDay = completeDay;
    lap('foldDays');
  }
  await client.query('UPDATE baseline_state SET as_of_hour = $1, as_of_day = $2, updated_at = now() WHERE id = 1', [asOfHour, asOfDay]);
  return { hour, status: 'aggregated', events, prefixes: newRows.length, baselineRows, dayRows, daysFolded, ribSetsUpdated: ribSets, ...(dayUpdateSkipped ? { dayUpdateSkipped } : {}), ms };
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

/** One signed contribution to a prefix's sums: an hour row, or packed sums (a day row). */
interface Delta {
  prefix: string;
  sign: Sign;
  row?: PrefixHourStats;
  state?: Buffer;
}

function applyDelta(acc: BaselineAccumulator, d: Delta): void {
  if (d.row) acc.apply(d.row, d.sign);
  else if (d.state) acc.applyState(BaselineView.fromBytes(d.state), d.sign);
}

function groupByPrefix(deltas: readonly Delta[]): Map<string, Delta[]> {
  const byPrefix = new Map<string, Delta[]>();
  for (const d of deltas) {
    let list = byPrefix.get(d.prefix);
    if (!list) byPrefix.set(d.prefix, (list = []));
    list.push(d);
  }
  return byPrefix;
}

/** Folds signed contributions into one window's stored sums; writes only the states that changed. */
async function mergeIntoWindow(client: Client, window: BaselineWindow, deltas: readonly Delta[]): Promise<{ written: number }> {
  if (deltas.length === 0) return { written: 0 };
  const windowHours = WINDOW_HOURS[window];
  const byPrefix = groupByPrefix(deltas);
  const linkDelta = new Map<string, number>();
  const addLinks = (from: number, to: number, n: number) => {
    const k = linkKey(from, to);
    linkDelta.set(k, (linkDelta.get(k) ?? 0) + n);
  };
  for (const d of deltas) {
    if (d.row) d.row.linkFrom.forEach((f, i) => addLinks(f, d.row!.linkTo[i] ?? 0, d.sign * (d.row!.linkCounts[i] ?? 0)));
    else if (d.state) for (const l of BaselineView.fromBytes(d.state).links()) addLinks(l.from, l.to, d.sign * l.count);
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
    for (const d of list) applyDelta(acc, d);
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
  return { written: outPrefixes.length };
}

/**
 * Folds signed contributions into one day's rows. `bounded`: the day has ended, so the row is
 * kept to DAY_ROW_LIMITS after the change. Returns the changes as (-before, +after) states,
 * ready for the windows that cover the day.
 */
async function mergeIntoDay(client: Client, day: number, deltas: readonly Delta[], bounded: boolean): Promise<{ written: number; changes: Delta[] }> {
  const byPrefix = groupByPrefix(deltas);
  const current = await client.query<{ prefix: string; state: Buffer }>(
    'SELECT prefix::text AS prefix, state FROM prefix_day_stats WHERE day = $1 AND prefix = ANY($2::cidr[])',
    [day, [...byPrefix.keys()]],
  );
  const stored = new Map(current.rows.map((r) => [r.prefix, r.state]));
  const out: DayRowWrite[] = [];
  const changes: Delta[] = [];
  for (const [prefix, list] of byPrefix) {
    const before = stored.get(prefix) ?? null;
    const acc = before ? BaselineView.fromBytes(before).toAccumulator() : new BaselineAccumulator();
    for (const d of list) applyDelta(acc, d);
    const other = bounded ? acc.trim(DAY_ROW_LIMITS) : null;
    const after = acc.isEmpty() ? null : Buffer.from(encodeBaseline(acc));
    if (after === null ? before === null : before !== null && before.equals(after)) continue;
    out.push({ prefix, state: after, other });
    if (before) changes.push({ prefix, sign: -1, state: before });
    if (after) changes.push({ prefix, sign: 1, state: after });
  }
  await writeDayRows(client, day, out);
  return { written: out.length, changes };
}

interface DayRowWrite {
  prefix: string;
  /** null: nothing left of the prefix that day (the row goes). */
  state: Buffer | null;
  /** Counts the bound dropped; null keeps the stored ones (an unbounded, running day: 0). */
  other: TrimmedCounts | null;
}

async function writeDayRows(client: Client, day: number, rows: readonly DayRowWrite[]): Promise<void> {
  const gone = rows.filter((r) => r.state === null).map((r) => r.prefix);
  const kept = rows.filter((r) => r.state !== null);
  if (gone.length > 0) await client.query('DELETE FROM prefix_day_stats WHERE day = $1 AND prefix = ANY($2::cidr[])', [day, gone]);
  if (kept.length === 0) return;
  // other_* add up: a bounded row bounded again after a change drops more on top.
  await client.query(
    `INSERT INTO prefix_day_stats AS x (day, prefix, state, other_origins, other_links, other_paths)
     SELECT $1, u.prefix, u.state, u.oo, u.ol, u.op FROM unnest($2::cidr[], $3::bytea[], $4::int[], $5::int[], $6::int[]) AS u(prefix, state, oo, ol, op)
     ON CONFLICT (day, prefix) DO UPDATE SET state = EXCLUDED.state, other_origins = x.other_origins + EXCLUDED.other_origins,
       other_links = x.other_links + EXCLUDED.other_links, other_paths = x.other_paths + EXCLUDED.other_paths`,
    [
      day,
      kept.map((r) => r.prefix),
      kept.map((r) => r.state),
      kept.map((r) => r.other?.origins ?? 0),
      kept.map((r) => r.other?.links ?? 0),
      kept.map((r) => r.other?.paths ?? 0),
    ],
  );
}

/**
 * Folds the days that ended since `fromDay` (exclusive) up to `toDay` into the 7 d / 30 d
 * windows: each day's rows are bounded, added to every window, and the days leaving a window
 * are subtracted. Streams rows in prefix order, DAY_CHUNK prefixes at a time.
 */
async function foldDays(client: Client, fromDay: number | null, toDay: number): Promise<{ days: number[]; baselineRows: number; dayRows: number }> {
  const maxDays = Math.max(...DAY_WINDOWS.map(windowDays));
  const lo = Math.max(fromDay ?? -Infinity, toDay - maxDays);
  // Only days with rows need work; the last step still runs for the days it expires.
  const r = await client.query<{ day: number }>('SELECT DISTINCT day FROM prefix_day_stats WHERE day > $1 AND day <= $2 ORDER BY day', [
    Number.isFinite(lo) ? lo : -2_147_483_648,
    toDay,
  ]);
  const withRows = r.rows.map((x) => x.day);
  const steps = withRows.includes(toDay) ? withRows : [...withRows, toDay];
  let asOfDay = fromDay;
  let baselineRows = 0;
  let dayRows = 0;
  for (const day of steps) {
    const hasRows = withRows.includes(day);
    const add: BaselineWindow[] = [];
    const expire = new Map<number, BaselineWindow[]>();
    for (const w of DAY_WINDOWS) {
      const plan = planWindowUpdate(day, asOfDay, windowDays(w));
      if (plan.applyHour && hasRows) add.push(w);
      for (const e of plan.expire) expire.set(e, [...(expire.get(e) ?? []), w]);
    }
    if (hasRows) {
      await forEachDayChunk(client, day, async (rows) => {
        // The day has ended: bound it once, here, before any window sees it.
        const out: DayRowWrite[] = [];
        const deltas: Delta[] = [];
        for (const row of rows) {
          const acc = BaselineView.fromBytes(row.state).toAccumulator();
          const other = acc.trim(DAY_ROW_LIMITS);
          const state = other.origins + other.links + other.paths > 0 ? Buffer.from(encodeBaseline(acc)) : row.state;
          if (state !== row.state) out.push({ prefix: row.prefix, state, other });
          deltas.push({ prefix: row.prefix, sign: 1, state });
        }
        await writeDayRows(client, day, out);
        dayRows += out.length;
        for (const w of add) baselineRows += (await mergeIntoWindow(client, w, deltas)).written;
      });
    }
    for (const [gone, windows] of expire) {
      await forEachDayChunk(client, gone, async (rows) => {
        const deltas: Delta[] = rows.map((row) => ({ prefix: row.prefix, sign: -1, state: row.state }));
        for (const w of windows) baselineRows += (await mergeIntoWindow(client, w, deltas)).written;
      });
    }
    asOfDay = day;
  }
  return { days: withRows, baselineRows, dayRows };
}

/** A day's rows in prefix order, DAY_CHUNK at a time (keyset on the primary key). */
async function forEachDayChunk(client: Client, day: number, fn: (rows: { prefix: string; state: Buffer }[]) => Promise<void>): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const r: pg.QueryResult<{ prefix: string; state: Buffer }> = await client.query(
      // ORDER BY the cidr column, not the text output column of the same name (text order differs).
      `SELECT d.prefix::text AS prefix, d.state FROM prefix_day_stats d WHERE d.day = $1 AND ($2::cidr IS NULL OR d.prefix > $2::cidr) ORDER BY d.prefix LIMIT $3`,
      [day, after, DAY_CHUNK],
    );
    if (r.rows.length === 0) return;
    await fn(r.rows);
    if (r.rows.length < DAY_CHUNK) return;
    after = r.rows[r.rows.length - 1]!.prefix;
  }
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
    `INSERT INTO baseline_as_links AS a (window_hours, asn_from, asn_to, count)
     SELECT $1, f, t, n FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS d(f, t, n) ORDER BY f, t
     ON CONFLICT (window_hours, asn_from, asn_to) DO UPDATE SET count = a.count + EXCLUDED.count`,
    [windowHours, from, to, n],
  );
  // A second statement: a DELETE in the same statement as the upsert (a data-modifying CTE) sees
  // the rows as they were before it and skips the ones it updated, so pairs that reached 0 stayed.
  const negFrom: number[] = [];
  const negTo: number[] = [];
  for (let i = 0; i < n.length; i++) {
    if (n[i]! < 0) {
      negFrom.push(from[i]!);
      negTo.push(to[i]!);
    }
  }
  if (negFrom.length === 0) return;
  await client.query(
    `DELETE FROM baseline_as_links x USING unnest($2::bigint[], $3::bigint[]) AS d(f, t)
      WHERE x.window_hours = $1 AND x.asn_from = d.f AND x.asn_to = d.t AND x.count <= 0`,
    [windowHours, negFrom, negTo],
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

/** Hour rows kept at least this long after the newest aggregated hour (they feed the 24 h window and re-aggregations). */
export const HOUR_ROWS_KEEP_HOURS = 48;

export interface PurgeResult {
  /** Hours whose rows went, day rows (prefix-days) that went, tombstones that went. */
  hours: number;
  dayRows: number;
  tombstones: number;
}

/**
 * Forgets what no window needs any more: hour rows older than the whole days before
 * max(48 h, `rawRetentionHours`) (an hour whose raw events are still stored keeps its row, so
 * re-aggregating it subtracts exactly), day rows older than the 30-day window plus a day, and
 * tombstones (caches that missed them reload in full, see purged_seq).
 */
export async function purgeBaselineHistory(
  opts: { purgeTombstones: boolean; rawRetentionHours?: number },
  db: pg.Pool = getPgPool(),
): Promise<PurgeResult> {
  return withBaselineLock(db, async (client) => {
    const st = await client.query<BaselineStateRow>('SELECT as_of_hour, as_of_day, hours_pruned_before FROM baseline_state WHERE id = 1 FOR UPDATE');
    const state = st.rows[0];
    let hours = 0;
    let dayRows = 0;
    if (state?.as_of_hour !== null && state?.as_of_hour !== undefined) {
      const keep = Math.max(HOUR_ROWS_KEEP_HOURS, opts.rawRetentionHours ?? 0);
      // Whole days: the hour rows of a day go together.
      const before = dayOfHour(state.as_of_hour - keep) * 24;
      const h = await client.query<{ n: string }>(
        'WITH d AS (DELETE FROM prefix_hour_stats WHERE hour < $1 RETURNING hour) SELECT count(DISTINCT hour)::text AS n FROM d',
        [before],
      );
      hours = Number(h.rows[0]?.n ?? 0);
      await client.query('UPDATE baseline_state SET hours_pruned_before = greatest(coalesce(hours_pruned_before, $1), $1) WHERE id = 1', [before]);
    }
    if (state?.as_of_day !== null && state?.as_of_day !== undefined) {
      const d = await client.query('DELETE FROM prefix_day_stats WHERE day <= $1', [state.as_of_day - windowDays('30d') - 1]);
      dayRows = d.rowCount ?? 0;
    }
    let tombstones = 0;
    if (opts.purgeTombstones) {
      const t = await client.query<{ n: string }>(
        `WITH d AS (DELETE FROM prefix_baselines WHERE state IS NULL RETURNING seq),
         u AS (UPDATE baseline_state SET purged_seq = greatest(purged_seq, coalesce((SELECT max(seq) FROM d), 0)) WHERE id = 1)
         SELECT count(*)::text AS n FROM d`,
      );
      tombstones = Number(t.rows[0]?.n ?? 0);
    }
    return { hours, dayRows, tombstones };
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

/** Newest aggregated hour, purge watermark, and aggregated hours inside each window. */
export async function getBaselineMeta(db: pg.Pool | Client = getPgPool()): Promise<BaselineMeta> {
  return (await getBaselineWindows(db)).meta;
}

/**
 * The cache's meta plus the newest hour of each window: 24 h ends at the newest aggregated hour,
 * 7 d / 30 d at the last hour of the newest folded day (null: no day has ended yet).
 */
async function getBaselineWindows(db: pg.Pool | Client): Promise<{ meta: BaselineMeta; asOf: Record<BaselineWindow, number | null> }> {
  const r = await db.query<{ as_of_hour: number | null; as_of_day: number | null; purged_seq: string; h24: number; h168: number; h720: number }>(
    `SELECT s.as_of_hour, s.as_of_day, s.purged_seq::text AS purged_seq,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour > s.as_of_hour - 24 AND h.hour <= s.as_of_hour) AS h24,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour >= (s.as_of_day - 6) * 24 AND h.hour < (s.as_of_day + 1) * 24) AS h168,
            (SELECT count(*)::int FROM baseline_hours h WHERE h.hour >= (s.as_of_day - 29) * 24 AND h.hour < (s.as_of_day + 1) * 24) AS h720
       FROM baseline_state s WHERE s.id = 1`,
  );
  const row = r.rows[0];
  const dayEnd = row?.as_of_day === null || row?.as_of_day === undefined ? null : (row.as_of_day + 1) * 24 - 1;
  return {
    meta: {
      asOfHour: row?.as_of_hour ?? null,
      purgedSeq: Number(row?.purged_seq ?? 0),
      hoursCovered: { '24h': row?.h24 ?? 0, '7d': row?.h168 ?? 0, '30d': row?.h720 ?? 0 },
    },
    asOf: { '24h': row?.as_of_hour ?? null, '7d': dayEnd, '30d': dayEnd },
  };
}

/** The baseline of one prefix (canonical CIDR) for one window; null when there is none. */
export async function getPrefixBaseline(prefix: string, window: BaselineWindow, db: pg.Pool = getPgPool()): Promise<BaselineSummary | null> {
  const [win, r] = await Promise.all([
    getBaselineWindows(db),
    db.query<{ state: Buffer | null }>('SELECT state FROM prefix_baselines WHERE window_hours = $1 AND prefix = $2::cidr', [WINDOW_HOURS[window], prefix]),
  ]);
  const state = r.rows[0]?.state;
  const asOfHour = win.asOf[window];
  if (!state || asOfHour === null) return null;
  return summarizeBaseline(BaselineView.fromBytes(state), { window, asOfHour, hoursCovered: win.meta.hoursCovered[window] });
}

/** Stored day sums of one prefix in [fromDay, toDay], oldest first, with what their bound dropped. */
export async function listPrefixDayStats(
  prefix: string,
  fromDay: number,
  toDay: number,
  db: pg.Pool = getPgPool(),
): Promise<{ day: number; state: Buffer; other: TrimmedCounts }[]> {
  const r = await db.query<{ day: number; state: Buffer; oo: number; ol: number; op: number }>(
    `SELECT day, state, other_origins AS oo, other_links AS ol, other_paths AS op FROM prefix_day_stats
      WHERE prefix = $1::cidr AND day BETWEEN $2 AND $3 ORDER BY day`,
    [prefix, fromDay, toDay],
  );
  return r.rows.map((x) => ({ day: x.day, state: x.state, other: { origins: x.oo, links: x.ol, paths: x.op } }));
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
  await db.query('TRUNCATE prefix_hour_stats, prefix_day_stats, baseline_hours, prefix_baselines, baseline_as_links');
  // Every row a cache holds is gone without a tombstone: make caches reload in full.
  await db.query(
    `UPDATE baseline_state SET as_of_hour = NULL, as_of_day = NULL, hours_pruned_before = NULL, purged_seq = (SELECT CASE WHEN is_called THEN last_value + 1 ELSE 0 END FROM prefix_baselines_seq) WHERE id = 1`,
  );
}
