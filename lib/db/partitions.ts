// Hourly partitions of bgp_events: created on demand before writes, dropped whole by retention.

import type pg from 'pg';
import { getPgPool } from '@/lib/db/client';
import {
  EVENTS_TABLE,
  HOUR_US,
  type EventPartitionBounds,
  parsePartitionName,
  partitionsForRange,
} from '@/lib/db/event-partition-bounds';
import { microsToIso } from '@/lib/api/serialize';
import { getLogger } from '@/lib/log';

/**
 * Partitions this process knows exist. Saves a catalog round trip per batch; stale entries
 * (a partition dropped by another process) are handled by insertEventBatch, which clears the
 * cache and retries once when PostgreSQL finds no partition for a row.
 */
const known = new Set<string>();

/** Serializes DDL on bgp_events across processes (collector, workers, tests). */
const PARTITION_DDL_LOCK = 7_150_201;

export function forgetKnownPartitions(): void {
  known.clear();
}

/** Creates the hourly partitions covering event times [fromUs, toUs]; returns the names it created. */
export async function ensureEventPartitions(fromUs: number, toUs: number, db: pg.Pool = getPgPool()): Promise<string[]> {
  const missing = partitionsForRange(fromUs, toUs).filter((p) => !known.has(p.name));
  if (missing.length === 0) return [];
  const client = await db.connect();
  const created: string[] = [];
  try {
    await client.query('BEGIN');
    // IF NOT EXISTS alone is not race-free (two creators can both pass the check); the
    // transaction-scoped advisory lock makes concurrent callers take turns.
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_DDL_LOCK]);
    const existing = new Set(await partitionNames(client));
    for (const p of missing) {
      if (existing.has(p.name)) continue;
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${p.name}" PARTITION OF "${EVENTS_TABLE}" FOR VALUES FROM ('${microsToIso(p.fromUs)}') TO ('${microsToIso(p.toUs)}')`,
      );
      created.push(p.name);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  for (const p of missing) known.add(p.name);
  if (created.length > 0) getLogger().debug({ module: 'db', created }, 'event partitions created');
  return created;
}

/** Creates the partitions from the current hour through `aheadHours` later (for a periodic job). */
export function ensureUpcomingEventPartitions(nowUs: number, aheadHours: number): Promise<string[]> {
  return ensureEventPartitions(nowUs, nowUs + Math.max(0, aheadHours) * HOUR_US);
}

/**
 * Drops every partition whose whole range ends at or before nowUs - retentionHours and that no
 * writer has added rows to within that retention (ingest_windows.updated_at, which every batch
 * write bumps): a backfill of last year's archives keeps its raw rows for the same retention after
 * loading, so the hourly baseline aggregation gets to see them. Returns the dropped names, oldest
 * first. Rows in the partition still being filled are never touched.
 */
export async function dropExpiredEventPartitions(nowUs: number, retentionHours: number, db: pg.Pool = getPgPool()): Promise<string[]> {
  if (!(retentionHours >= 0)) throw new RangeError(`retentionHours must be >= 0, got ${retentionHours}`);
  const cutoffUs = nowUs - retentionHours * HOUR_US;
  const old = (await listEventPartitions(db)).filter((p) => p.toUs <= cutoffUs);
  const recent = await recentlyWrittenHours(db, old, cutoffUs);
  const expired = old.filter((p) => !recent.has(p.fromUs));
  const dropped: string[] = [];
  for (const p of expired) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_DDL_LOCK]);
      const exists = (await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [`"${p.name}"`])).rows[0]?.r;
      // The lock waits for inserts into the partition that are running now; the second look at
      // its writes then sees them committed (an insert counts its window in the same statement),
      // so rows written between the first look and here are never dropped with the partition.
      if (exists) await client.query(`LOCK TABLE "${p.name}" IN ACCESS EXCLUSIVE MODE`);
      if (exists && (await recentlyWrittenHours(client, [p], cutoffUs)).size > 0) {
        await client.query('ROLLBACK');
        continue;
      }
      await client.query(`DROP TABLE IF EXISTS "${p.name}"`);
      await client.query('COMMIT');
      dropped.push(p.name);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
      known.delete(p.name);
    }
  }
  if (dropped.length > 0) getLogger().info({ module: 'db', dropped, retentionHours }, 'expired event partitions dropped');
  return dropped;
}

/** Start (µs) of each given partition hour that has an ingest window written after cutoffUs. */
async function recentlyWrittenHours(db: pg.Pool | pg.PoolClient, parts: EventPartitionBounds[], cutoffUs: number): Promise<Set<number>> {
  if (parts.length === 0) return new Set();
  const r = await db.query<{ hour_us: string }>(
    `SELECT DISTINCT (extract(epoch from date_trunc('hour', window_start, 'UTC')) * 1000000)::bigint::text AS hour_us
       FROM ingest_windows
      WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz AND updated_at > $3::timestamptz`,
    [microsToIso(parts[0]!.fromUs), microsToIso(parts[parts.length - 1]!.toUs), microsToIso(cutoffUs)],
  );
  return new Set(r.rows.map((row) => Number(row.hour_us)));
}

/** Our hourly partitions of bgp_events, oldest first. */
export async function listEventPartitions(db: pg.Pool = getPgPool()): Promise<EventPartitionBounds[]> {
  const names = await partitionNames(db);
  return names
    .map(parsePartitionName)
    .filter((p): p is EventPartitionBounds => p !== null)
    .sort((a, b) => a.fromUs - b.fromUs);
}

async function partitionNames(q: pg.Pool | pg.PoolClient): Promise<string[]> {
  const r = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = $1 AND p.relnamespace = to_regnamespace(current_schema())::oid`,
    [EVENTS_TABLE],
  );
  return r.rows.map((row) => row.name);
}
