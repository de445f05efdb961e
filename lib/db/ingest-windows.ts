// ingest_windows (counts per source and fixed event-time bucket) and ingest_gaps (stretches the
// live feed may have missed). Counts are of inserted rows only, so replays leave them exact.

import type pg from 'pg';
import type { EventSource, IngestGap } from '@/lib/bgp/types';
import { getPgPool } from '@/lib/db/client';
import { INGEST_WINDOW_US, windowStartFor, type WindowCountDelta } from '@/lib/db/ingest-window-bounds';

export { INGEST_WINDOW_US, windowStartFor, type WindowCountDelta };

/** SQL for "µs since the epoch" → timestamptz, exact (no float seconds). */
export const usToTimestamptz = (expr: string): string => `('epoch'::timestamptz + (${expr}) * interval '1 microsecond')`;
/** SQL for timestamptz → µs since the epoch as text (extract gives numeric, which is exact). */
export const timestamptzToUs = (expr: string): string => `((extract(epoch from ${expr}) * 1000000)::bigint)::text`;

/**
 * Upsert of window deltas from a relation with columns (source, window_start timestamptz, events,
 * announcements, withdrawals, first_at, last_at), one row per (source, window_start). Shared by
 * recordWindowCounts and the single-statement insert in events.ts. Rows are taken in key order
 * so concurrent writers lock window rows in the same order (no deadlocks).
 */
export function windowUpsertSql(deltaRelation: string): string {
  return `INSERT INTO ingest_windows AS w (source, window_start, window_end, event_count, announcement_count,
      withdrawal_count, first_event_at, last_event_at, updated_at)
    SELECT d.source, d.window_start, d.window_start + ${INGEST_WINDOW_US} * interval '1 microsecond', d.events,
      d.announcements, d.withdrawals, d.first_at, d.last_at, now()
      FROM ${deltaRelation} d ORDER BY d.source, d.window_start
    ON CONFLICT (source, window_start) DO UPDATE SET
      event_count = w.event_count + EXCLUDED.event_count,
      announcement_count = w.announcement_count + EXCLUDED.announcement_count,
      withdrawal_count = w.withdrawal_count + EXCLUDED.withdrawal_count,
      first_event_at = LEAST(w.first_event_at, EXCLUDED.first_event_at),
      last_event_at = GREATEST(w.last_event_at, EXCLUDED.last_event_at),
      updated_at = now()`;
}

/** Adds counts to their windows (creating them), widening first/last event times. */
export async function recordWindowCounts(deltas: readonly WindowCountDelta[], db: pg.Pool = getPgPool()): Promise<void> {
  const merged = mergeDeltas(deltas);
  if (merged.length === 0) return;
  const sql = `WITH d AS (
      SELECT u.source, ${usToTimestamptz('u.ws')} AS window_start, u.events, u.announcements, u.withdrawals,
             ${usToTimestamptz('u.f')} AS first_at, ${usToTimestamptz('u.l')} AS last_at
        FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
             AS u(source, ws, events, announcements, withdrawals, f, l))
    ${windowUpsertSql('d')}`;
  await db.query(sql, [
    merged.map((d) => d.source),
    merged.map((d) => d.windowStartUs),
    merged.map((d) => d.events),
    merged.map((d) => d.announcements),
    merged.map((d) => d.withdrawals),
    merged.map((d) => d.firstEventUs),
    merged.map((d) => d.lastEventUs),
  ]);
}

/** One delta per (source, window): an upsert may not touch the same row twice. */
function mergeDeltas(deltas: readonly WindowCountDelta[]): WindowCountDelta[] {
  const byKey = new Map<string, WindowCountDelta>();
  for (const d of deltas) {
    const windowStartUs = windowStartFor(d.windowStartUs);
    const key = `${d.source}\u0000${windowStartUs}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...d, windowStartUs });
      continue;
    }
    prev.events += d.events;
    prev.announcements += d.announcements;
    prev.withdrawals += d.withdrawals;
    prev.firstEventUs = Math.min(prev.firstEventUs, d.firstEventUs);
    prev.lastEventUs = Math.max(prev.lastEventUs, d.lastEventUs);
  }
  return [...byKey.values()];
}

export interface StoredIngestWindow {
  id: string;
  source: EventSource;
  windowStartUs: number;
  windowEndUs: number;
  eventCount: number;
  announcementCount: number;
  withdrawalCount: number;
  firstEventUs: number | null;
  lastEventUs: number | null;
  gapCount: number;
  updatedAtMs: number;
}

/** Windows of one source whose start lies in the window containing fromUs through toUs, oldest first. */
export async function listWindows(
  q: { source: EventSource; fromUs: number; toUs: number },
  db: pg.Pool = getPgPool(),
): Promise<StoredIngestWindow[]> {
  const r = await db.query<Record<string, string | number | null>>(
    `SELECT id::text, source, ${timestamptzToUs('window_start')} AS ws, ${timestamptzToUs('window_end')} AS we,
            event_count::text AS ec, announcement_count::text AS ac, withdrawal_count::text AS wc,
            ${timestamptzToUs('first_event_at')} AS f, ${timestamptzToUs('last_event_at')} AS l, gap_count AS gc,
            ${timestamptzToUs('updated_at')} AS u
       FROM ingest_windows
      WHERE source = $1 AND window_start >= ${usToTimestamptz('$2::bigint')} AND window_start <= ${usToTimestamptz('$3::bigint')}
      ORDER BY window_start`,
    [q.source, windowStartFor(q.fromUs), q.toUs],
  );
  return r.rows.map((w) => ({
    id: String(w.id),
    source: w.source as EventSource,
    windowStartUs: Number(w.ws),
    windowEndUs: Number(w.we),
    eventCount: Number(w.ec),
    announcementCount: Number(w.ac),
    withdrawalCount: Number(w.wc),
    firstEventUs: w.f === null ? null : Number(w.f),
    lastEventUs: w.l === null ? null : Number(w.l),
    gapCount: Number(w.gc),
    updatedAtMs: Math.floor(Number(w.u) / 1000),
  }));
}

/**
 * Records a gap and bumps gap_count of the window it starts in (by event time when known,
 * otherwise by the wall-clock start, which is close to event time for a live feed).
 */
export async function recordGap(gap: IngestGap, db: pg.Pool = getPgPool()): Promise<{ id: string }> {
  const anchorUs = gap.lastEventBeforeUs ?? gap.firstEventAfterUs ?? gap.startedAtMs * 1000;
  const r = await db.query<{ id: string }>(
    `WITH w AS (
       INSERT INTO ingest_windows AS w (source, window_start, window_end, gap_count, updated_at)
       VALUES ($1, ${usToTimestamptz('$2::bigint')}, ${usToTimestamptz(`$2::bigint + ${INGEST_WINDOW_US}`)}, 1, now())
       ON CONFLICT (source, window_start) DO UPDATE SET gap_count = w.gap_count + 1, updated_at = now()
       RETURNING id)
     INSERT INTO ingest_gaps (source, window_id, started_at, ended_at, event_time_from, event_time_to, reason)
     SELECT $1, w.id, ${usToTimestamptz('$3::bigint')}, ${usToTimestamptz('$4::bigint')},
            ${usToTimestamptz('$5::bigint')}, ${usToTimestamptz('$6::bigint')}, $7
       FROM w
     RETURNING id::text`,
    [
      gap.source,
      windowStartFor(anchorUs),
      Math.round(gap.startedAtMs * 1000),
      Math.round(gap.endedAtMs * 1000),
      gap.lastEventBeforeUs,
      gap.firstEventAfterUs,
      gap.reason,
    ],
  );
  const row = r.rows[0];
  if (!row) throw new Error('recordGap: insert returned no row');
  return { id: row.id };
}

export interface StoredIngestGap extends IngestGap {
  id: string;
  windowId: string | null;
  backfillStatus: string;
  createdAtMs: number;
}

/** Newest gaps first (by wall-clock start). */
export async function listRecentGaps(limit: number, db: pg.Pool = getPgPool()): Promise<StoredIngestGap[]> {
  const r = await db.query<Record<string, string | null>>(
    `SELECT id::text, source, window_id::text AS window_id, ${timestamptzToUs('started_at')} AS s, ${timestamptzToUs('ended_at')} AS e,
            ${timestamptzToUs('event_time_from')} AS f, ${timestamptzToUs('event_time_to')} AS t, reason, backfill_status,
            ${timestamptzToUs('created_at')} AS c
       FROM ingest_gaps ORDER BY started_at DESC, id DESC LIMIT $1`,
    [Math.max(0, Math.floor(limit))],
  );
  return r.rows.map((g) => ({
    id: g.id!,
    source: g.source as EventSource,
    windowId: g.window_id ?? null,
    startedAtMs: Number(g.s) / 1000,
    endedAtMs: Number(g.e) / 1000,
    lastEventBeforeUs: g.f === null ? null : Number(g.f),
    firstEventAfterUs: g.t === null ? null : Number(g.t),
    reason: g.reason!,
    backfillStatus: g.backfill_status!,
    createdAtMs: Math.floor(Number(g.c) / 1000),
  }));
}
