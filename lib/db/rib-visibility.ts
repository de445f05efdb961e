// Visibility from RIB dumps: which peers carry a prefix, not only which ones sent updates for it.
//
// A backfill that loads a RIB dump of a collector (its routes land in bgp_events as
// announcements at the dump time) records the snapshot here: per (collector, prefix) the set of
// peers that carried the prefix at that event time (prefix_rib_state). From then on every
// aggregated hour applies its updates to those sets (last update per peer wins: announcement
// adds, withdrawal removes), so the set always says who carries the prefix as of the newest
// aggregated hour. The hour aggregation (lib/db/baselines.ts) counts these sets as the prefix's
// peers / collectors wherever a collector has one, and the announcing peers elsewhere.
//
// Peers are kept as hashtext(peer address): 4 bytes each, membership is all a set needs.

import type pg from 'pg';
import { getPgPool } from '@/lib/db/client';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Applies the updates with event time in [fromIso, toIso) to the peer sets of their (collector,
 * prefix), skipping updates at or before a set's as_of (already in it). `collector` narrows it
 * to one collector (catching a new snapshot up). Returns the sets changed.
 */
export async function applyRibUpdates(db: Queryable, fromIso: string, toIso: string, collector: string | null = null): Promise<number> {
  const r = await db.query(
    `WITH ev AS (
       SELECT DISTINCT ON (e.collector, e.prefix, e.peer_ip) e.collector, e.prefix, hashtext(host(e.peer_ip)) AS pid, e.event_type = 'announcement' AS ann
         FROM bgp_events e JOIN prefix_rib_state s ON s.collector = e.collector AND s.prefix = e.prefix
        WHERE e."timestamp" >= $1::timestamptz AND e."timestamp" < $2::timestamptz AND e."timestamp" > s.as_of
          AND ($3::text IS NULL OR e.collector = $3::text)
        ORDER BY e.collector, e.prefix, e.peer_ip, e."timestamp" DESC, e.event_type = 'announcement'),
     ch AS (
       SELECT collector, prefix, coalesce(array_agg(pid) FILTER (WHERE ann), '{}') AS plus, coalesce(array_agg(pid) FILTER (WHERE NOT ann), '{}') AS minus
         FROM ev GROUP BY 1, 2)
     UPDATE prefix_rib_state s SET as_of = greatest(s.as_of, $2::timestamptz),
            peers = ARRAY(SELECT DISTINCT x FROM unnest(s.peers || ch.plus) AS x WHERE NOT (x = ANY (ch.minus)) ORDER BY 1)
       FROM ch WHERE s.collector = ch.collector AND s.prefix = ch.prefix`,
    [fromIso, toIso, collector],
  );
  return r.rowCount ?? 0;
}

export interface RibSnapshotResult {
  collector: string;
  dumpTimeIso: string;
  prefixes: number;
  peers: number;
  routes: number;
  /** Sets that updates after the dump (already stored, hours already aggregated) changed. */
  caughtUp: number;
}

/**
 * Records the RIB dump whose routes a backfill just stored: the announcements of `collector` with
 * event time in [fromUs, toUs] (a dump's records all carry its start time). A set newer than the
 * dump (a later dump, or later updates) is kept; prefixes the collector held before but not in
 * this dump get an empty set. Then the updates stored after the dump, up to `catchUpToIso` (the
 * end of the newest aggregated hour, read from baseline_state when not given), are applied, so
 * the sets are current again.
 */
export async function recordRibSnapshot(
  o: { collector: string; fileId: string | null; fromUs: number; toUs: number; catchUpToIso?: string | null },
  db: pg.Pool = getPgPool(),
): Promise<RibSnapshotResult> {
  const fromIso = new Date(Math.floor(o.fromUs / 1000)).toISOString();
  // Inclusive end, to the microsecond.
  const toIso = new Date(Math.floor(o.toUs / 1000) + 1).toISOString();
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query<{ prefixes: number; peers: number; routes: string }>(
      `WITH snap AS MATERIALIZED (
         SELECT prefix, array_agg(DISTINCT hashtext(host(peer_ip)) ORDER BY hashtext(host(peer_ip))) AS peers, count(*) AS routes
           FROM bgp_events WHERE collector = $1 AND "timestamp" >= $2::timestamptz AND "timestamp" < $3::timestamptz AND event_type = 'announcement'
          GROUP BY prefix),
       up AS (
         INSERT INTO prefix_rib_state AS s (collector, prefix, as_of, peers) SELECT $1, prefix, $2::timestamptz, peers FROM snap
         ON CONFLICT (collector, prefix) DO UPDATE SET as_of = EXCLUDED.as_of, peers = EXCLUDED.peers WHERE s.as_of <= EXCLUDED.as_of
         RETURNING 1),
       gone AS (
         UPDATE prefix_rib_state s SET as_of = $2::timestamptz, peers = '{}'
          WHERE s.collector = $1 AND s.as_of <= $2::timestamptz AND NOT EXISTS (SELECT 1 FROM snap WHERE snap.prefix = s.prefix)
         RETURNING 1)
       SELECT (SELECT count(*)::int FROM snap) AS prefixes,
              (SELECT count(DISTINCT p)::int FROM snap, unnest(snap.peers) AS p) AS peers,
              (SELECT coalesce(sum(routes), 0)::text FROM snap) AS routes,
              (SELECT count(*) FROM up) + (SELECT count(*) FROM gone) AS written`,
      [o.collector, fromIso, toIso],
    );
    const row = r.rows[0]!;
    await client.query(
      `INSERT INTO rib_snapshots (collector, dump_time, file_id, prefixes, peers, routes) VALUES ($1, $2::timestamptz, $3::bigint, $4, $5, $6::bigint)
       ON CONFLICT (collector, dump_time) DO UPDATE SET file_id = EXCLUDED.file_id, prefixes = EXCLUDED.prefixes, peers = EXCLUDED.peers, routes = EXCLUDED.routes`,
      [o.collector, fromIso, o.fileId, row.prefixes, row.peers, row.routes],
    );
    let catchUpTo = o.catchUpToIso ?? null;
    if (catchUpTo === undefined || catchUpTo === null) {
      const st = await client.query<{ t: Date | null }>(`SELECT to_timestamp((as_of_hour + 1)::float8 * 3600) AS t FROM baseline_state WHERE id = 1`);
      catchUpTo = st.rows[0]?.t ? st.rows[0].t.toISOString() : null;
    }
    let caughtUp = 0;
    if (catchUpTo && catchUpTo > toIso) caughtUp = await applyRibUpdates(client, fromIso, catchUpTo, o.collector);
    await client.query('COMMIT');
    return { collector: o.collector, dumpTimeIso: fromIso, prefixes: row.prefixes, peers: row.peers, routes: Number(row.routes), caughtUp };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Carried-by counts of one prefix from the RIB sets, per collector (API, tests). */
export async function getPrefixRibVisibility(prefix: string, db: Queryable = getPgPool()): Promise<{ collector: string; asOfIso: string; peers: number }[]> {
  const r = await db.query<{ collector: string; as_of: Date; peers: number }>(
    'SELECT collector, as_of, cardinality(peers) AS peers FROM prefix_rib_state WHERE prefix = $1::cidr ORDER BY collector',
    [prefix],
  );
  return r.rows.map((x) => ({ collector: x.collector, asOfIso: x.as_of.toISOString(), peers: x.peers }));
}
