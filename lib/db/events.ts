// bgp_events: batched idempotent writes and filtered, keyset-paginated reads.

import type pg from 'pg';
import type { BgpEvent, EventFilter, EventPage, StoredBgpEvent } from '@/lib/bgp/types';
import { parseEventIdParts } from '@/lib/bgp/event-id';
import { coveringPrefixes } from '@/lib/bgp/prefix';
import { getPgPool } from '@/lib/db/client';
import { decodeEventCursor, encodeEventCursor } from '@/lib/db/event-cursor';
import { eventsToJsonRows, rowToStoredEvent, type EventRow } from '@/lib/db/event-rows';
import { INGEST_WINDOW_US, type WindowCountDelta } from '@/lib/db/ingest-window-bounds';
import { timestamptzToUs, usToTimestamptz, windowUpsertSql } from '@/lib/db/ingest-windows';
import { ensureEventPartitions, forgetKnownPartitions } from '@/lib/db/partitions';
import { getLogger } from '@/lib/log';

export { InvalidCursorError } from '@/lib/db/event-cursor';

/** Thrown for a filter PostgreSQL cannot use (e.g. a prefix that is not a network). */
export class EventFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventFilterError';
  }
}

export interface InsertBatchResult {
  inserted: number;
  /** Rows already stored (same dedup_key and timestamp), including repeats within the batch. */
  duplicates: number;
  /** Rows PostgreSQL refused (invalid value); logged and skipped, the rest of the batch is kept. */
  rejected: number;
  /** Per-window counts of the rows actually inserted (written to ingest_windows when recordWindows). */
  windows: WindowCountDelta[];
}

export interface InsertBatchOptions {
  /**
   * Also add the inserted rows to ingest_windows in the same statement (atomic: a crash cannot
   * leave rows counted twice or not at all). Off by default: callers may instead pass `windows`
   * to recordWindowCounts themselves.
   */
  recordWindows?: boolean;
}

const INSERT_COLUMNS = `source, collector, peer_asn, peer_ip, event_type, prefix, prefix_length, origin_asn,
  as_path, as_path_set_mask, as_path_length, communities, next_hop, med, local_pref, origin_attribute,
  aggregator, "timestamp", raw_message, dedup_key`;

// One statement per batch. The batch travels as ONE JSON text parameter (an array of row tuples,
// see eventsToJsonRows) that PostgreSQL parses in C: measured faster than 20 array parameters
// for unnest (pg's per-element escaping in JS dominates there, ~2x slower with raw messages)
// and on par with COPY into a temp table + INSERT … SELECT, without the session state
// (bench/db-insert.ts).
// Duplicates are skipped by the primary key (timestamp, dedup_key), and the inserted rows are
// counted per window from RETURNING.
function insertSql(recordWindows: boolean): string {
  const agg = `SELECT source, date_bin(${INGEST_WINDOW_US} * interval '1 microsecond', "timestamp", 'epoch'::timestamptz) AS window_start,
        count(*) AS events,
        count(*) FILTER (WHERE event_type = 'announcement') AS announcements,
        count(*) FILTER (WHERE event_type = 'withdrawal') AS withdrawals,
        min("timestamp") AS first_at, max("timestamp") AS last_at
      FROM ins GROUP BY 1, 2`;
  // Integer and boolean JSON arrays ("[1,2]", "[true]") become array literals by swapping the
  // brackets; text arrays need real unpacking because JSON and array-literal escaping differ.
  return `WITH ins AS (
    INSERT INTO bgp_events (${INSERT_COLUMNS})
    SELECT j->>0, j->>1, (j->>2)::bigint, (j->>3)::inet, j->>4, (j->>5)::cidr, (j->>6)::smallint, (j->>7)::bigint,
           translate((j->8)::text, '[]', '{}')::bigint[],
           CASE WHEN jsonb_typeof(j->9) = 'array' THEN translate((j->9)::text, '[]', '{}')::boolean[] END,
           (j->>10)::smallint, ARRAY(SELECT jsonb_array_elements_text(j->11)), (j->>12)::inet, (j->>13)::bigint,
           (j->>14)::bigint, j->>15, j->>16, ${usToTimestamptz("(j->>17)::bigint")},
           CASE WHEN jsonb_typeof(j->18) <> 'null' THEN j->18 END, (j->>19)::bigint
      FROM jsonb_array_elements($1::jsonb) AS j
    ON CONFLICT ("timestamp", dedup_key) DO NOTHING
    RETURNING source, "timestamp", event_type),
  agg AS (${agg})${recordWindows ? `,\n  upsert AS (${windowUpsertSql('agg')})` : ''}
  SELECT source, ${timestamptzToUs('window_start')} AS ws, events::int, announcements::int, withdrawals::int,
         ${timestamptzToUs('first_at')} AS f, ${timestamptzToUs('last_at')} AS l
    FROM agg ORDER BY agg.source, agg.window_start`;
}

const SQL_PLAIN = insertSql(false);
const SQL_WITH_WINDOWS = insertSql(true);

/** No partition of bgp_events for a row (SQLSTATE 23514 with this text). */
const isMissingPartition = (err: unknown): boolean =>
  err instanceof Error && (err as { code?: string }).code === '23514' && /no partition of relation/.test(err.message);
/** Bad values (class 22: data exception, 23514: check violation): retry the rest without them. */
const isRowDataError = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23514') && !isMissingPartition(err);
};

/**
 * Inserts a batch in one statement, skipping rows already stored. Creates the hourly partitions
 * the batch needs first. A row PostgreSQL rejects is isolated (the batch is split until the bad
 * rows are alone), logged, counted in `rejected`, and the good rows around it are kept.
 */
export async function insertEventBatch(
  events: readonly BgpEvent[],
  opts: InsertBatchOptions = {},
  db: pg.Pool = getPgPool(),
): Promise<InsertBatchResult> {
  const result: InsertBatchResult = { inserted: 0, duplicates: 0, rejected: 0, windows: [] };
  if (events.length === 0) return result;
  let minUs = Infinity;
  let maxUs = -Infinity;
  for (const e of events) {
    if (e.timestampUs < minUs) minUs = e.timestampUs;
    if (e.timestampUs > maxUs) maxUs = e.timestampUs;
  }
  if (!Number.isSafeInteger(minUs) || !Number.isSafeInteger(maxUs)) {
    // One bad timestamp must not take the batch down: the split below isolates it.
    return insertSplitting(events, opts, db, result);
  }
  await ensureEventPartitions(minUs, maxUs, db);
  return insertSplitting(events, opts, db, result);
}

async function insertSplitting(
  events: readonly BgpEvent[],
  opts: InsertBatchOptions,
  db: pg.Pool,
  acc: InsertBatchResult,
): Promise<InsertBatchResult> {
  try {
    const windows = await insertOnce(events, opts, db);
    const inserted = windows.reduce((n, w) => n + w.events, 0);
    acc.inserted += inserted;
    acc.duplicates += events.length - inserted;
    acc.windows.push(...windows);
    return acc;
  } catch (err) {
    if (!isRowDataError(err)) throw err;
    if (events.length === 1) {
      acc.rejected += 1;
      const e = events[0]!;
      getLogger().warn(
        { module: 'db', err: err instanceof Error ? err.message : String(err), prefix: e.prefix, collector: e.collector, dedupKey: e.dedupKey },
        'event rejected by the database, skipped',
      );
      return acc;
    }
    const mid = Math.ceil(events.length / 2);
    await insertSplitting(events.slice(0, mid), opts, db, acc);
    return insertSplitting(events.slice(mid), opts, db, acc);
  }
}

async function insertOnce(events: readonly BgpEvent[], opts: InsertBatchOptions, db: pg.Pool): Promise<WindowCountDelta[]> {
  const params = [eventsToJsonRows(events)];
  const sql = opts.recordWindows ? SQL_WITH_WINDOWS : SQL_PLAIN;
  let r: pg.QueryResult<Record<string, string | number>>;
  try {
    r = await db.query(sql, params);
  } catch (err) {
    if (!isMissingPartition(err)) throw err;
    // Another process dropped a partition this process had cached: recreate and retry once.
    forgetKnownPartitions();
    let minUs = Infinity;
    let maxUs = -Infinity;
    for (const e of events) {
      minUs = Math.min(minUs, e.timestampUs);
      maxUs = Math.max(maxUs, e.timestampUs);
    }
    await ensureEventPartitions(minUs, maxUs, db);
    r = await db.query(sql, params);
  }
  return r.rows.map((w) => ({
    source: w.source as BgpEvent['source'],
    windowStartUs: Number(w.ws),
    events: Number(w.events),
    announcements: Number(w.announcements),
    withdrawals: Number(w.withdrawals),
    firstEventUs: Number(w.f),
    lastEventUs: Number(w.l),
  }));
}

const EVENT_SELECT_LIST = `source, collector, peer_asn::text AS peer_asn, host(peer_ip) AS peer_ip,
  event_type, prefix::text AS prefix, prefix_length, origin_asn::text AS origin_asn, as_path::text[] AS as_path,
  as_path_set_mask, as_path_length, communities, host(next_hop) AS next_hop, med::text AS med,
  local_pref::text AS local_pref, origin_attribute, aggregator, ${timestamptzToUs('"timestamp"')} AS timestamp_us,
  raw_message, dedup_key::text AS dedup_key, (extract(epoch from ingested_at) * 1000)::bigint::text AS ingested_at_ms`;

type Where = { clauses: string[]; params: unknown[] };

function addParam(w: Where, value: unknown): string {
  w.params.push(value);
  return `$${w.params.length}`;
}

/** WHERE clauses for everything in the filter except the cursor and limit. */
function filterClauses(filter: Omit<EventFilter, 'limit' | 'cursor'>): Where {
  const w: Where = { clauses: [], params: [] };
  if (filter.prefix !== undefined) {
    const match = filter.prefixMatch ?? 'exact';
    if (match === 'covering') {
      // The prefix and every less-specific one: an index probe per length (≤ 33 / 129).
      let list: string[];
      try {
        list = coveringPrefixes(filter.prefix);
      } catch (err) {
        throw new EventFilterError(`prefix: ${err instanceof Error ? err.message : String(err)}`);
      }
      w.clauses.push(`prefix = ANY(${addParam(w, list)}::cidr[])`);
    } else {
      w.clauses.push(match === 'exact' ? `prefix = ${addParam(w, filter.prefix)}::cidr` : `prefix <<= ${addParam(w, filter.prefix)}::cidr`);
    }
  }
  if (filter.originAsn !== undefined) w.clauses.push(`origin_asn = ${addParam(w, filter.originAsn)}::bigint`);
  if (filter.peerAsn !== undefined) w.clauses.push(`peer_asn = ${addParam(w, filter.peerAsn)}::bigint`);
  if (filter.collector !== undefined) w.clauses.push(`collector = ${addParam(w, filter.collector)}`);
  if (filter.eventType !== undefined) w.clauses.push(`event_type = ${addParam(w, filter.eventType)}`);
  if (filter.source !== undefined) w.clauses.push(`source = ${addParam(w, filter.source)}`);
  // Times go in as ISO text so they are plan-time constants: partitions outside are pruned.
  if (filter.timeFromUs !== undefined) w.clauses.push(`"timestamp" >= ${addParam(w, usToIso(filter.timeFromUs))}::timestamptz`);
  if (filter.timeToUs !== undefined) w.clauses.push(`"timestamp" <= ${addParam(w, usToIso(filter.timeToUs))}::timestamptz`);
  return w;
}

function usToIso(us: number): string {
  if (!Number.isSafeInteger(us)) throw new EventFilterError(`time is not an integer number of microseconds: ${us}`);
  const ms = Math.floor(us / 1000);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new EventFilterError(`time out of range: ${us}`);
  return `${date.toISOString().slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

async function queryEvents(db: pg.Pool, sql: string, params: unknown[]): Promise<pg.QueryResult<EventRow>> {
  try {
    return await db.query<EventRow>(sql, params);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('22')) {
      throw new EventFilterError(err instanceof Error ? err.message : String(err));
    }
    throw err;
  }
}

/**
 * Events matching the filter, newest first (timestamp DESC, dedup_key DESC), `limit` per page.
 * nextCursor continues after the last row; null when there is nothing more.
 */
export async function listEvents(filter: EventFilter, db: pg.Pool = getPgPool()): Promise<EventPage> {
  const limit = Math.max(1, Math.floor(filter.limit));
  const w = filterClauses(filter);
  if (filter.cursor !== undefined) {
    const c = decodeEventCursor(filter.cursor);
    w.clauses.push(`("timestamp", dedup_key) < (${addParam(w, usToIso(c.timestampUs))}::timestamptz, ${addParam(w, c.dedupKey)}::bigint)`);
  }
  const where = w.clauses.length > 0 ? `WHERE ${w.clauses.join(' AND ')}` : '';
  // ORDER BY is qualified: a bare dedup_key would mean the text output column dedup_key::text.
  // One row more than asked tells whether another page exists without a count.
  const sql = `SELECT ${EVENT_SELECT_LIST} FROM bgp_events e ${where} ORDER BY e."timestamp" DESC, e.dedup_key DESC LIMIT ${addParam(w, limit + 1)}`;
  const r = await queryEvents(db, sql, w.params);
  const rows = r.rows.slice(0, limit).map(rowToStoredEvent);
  const last = rows[rows.length - 1];
  return {
    data: rows,
    nextCursor: r.rows.length > limit && last ? encodeEventCursor({ timestampUs: last.timestampUs, dedupKey: last.dedupKey }) : null,
  };
}

/** The newest events (dashboard). */
export async function latestEvents(limit: number, db: pg.Pool = getPgPool()): Promise<StoredBgpEvent[]> {
  return (await listEvents({ limit }, db)).data;
}

/** One event by id (lib/bgp/event-id.ts); null when absent or when id is not one we produce. */
export async function getEventById(id: string, db: pg.Pool = getPgPool()): Promise<StoredBgpEvent | null> {
  const key = parseEventIdParts(id);
  if (!key) return null;
  // The time goes in as text so only its hour's partition is searched.
  const r = await db.query<EventRow>(
    `SELECT ${EVENT_SELECT_LIST} FROM bgp_events WHERE "timestamp" = $1::timestamptz AND dedup_key = $2::bigint`,
    [usToIso(key.timestampUs), key.dedupKey],
  );
  const row = r.rows[0];
  return row ? rowToStoredEvent(row) : null;
}

/** Number of events matching the filter (cursor and limit ignored). Exact: scans on large ranges. */
export async function countEvents(filter: Partial<Omit<EventFilter, 'cursor' | 'limit'>> = {}, db: pg.Pool = getPgPool()): Promise<number> {
  const w = filterClauses(filter);
  const where = w.clauses.length > 0 ? `WHERE ${w.clauses.join(' AND ')}` : '';
  const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM bgp_events ${where}`, w.params);
  return Number(r.rows[0]?.n ?? 0);
}
