// RPKI persistence: the last good VRP set of each source (bulk delta writes, loaded at start when
// sources are down), per-source status, the worker's published route summary, covering-VRP
// lookups for the validity API, rpki_invalid anomaly rows, and the verdicts of backfilled routes.

import type pg from 'pg';
import { canonicalPrefix } from '@/lib/bgp/prefix';
import { getPgPool } from '@/lib/db/client';
import type { RpkiAnomaly } from '@/lib/rpki/anomalies';
import type { HistoricRpkiAnomaly, VerdictCounts } from '@/lib/rpki/historic';
import type { RpkiStore } from '@/lib/rpki/source-manager';
import type { Aspa, RpkiSetWrite, RpkiSourceKind, Vrp } from '@/lib/rpki/types';

/** Rows per INSERT/DELETE statement: keeps each array parameter a few MB. */
const CHUNK = 20_000;

export interface StoredRpkiSource {
  sourceId: string;
  kind: RpkiSourceKind;
  serial: number | null;
  sessionId: number | null;
  vrpCount: number;
  aspaCount: number;
  generatedAtMs: number | null;
  loadedAtMs: number;
  lastError: string | null;
  lastErrorAtMs: number | null;
}

async function vrpStatement(client: pg.PoolClient, sql: string, sourceId: string, vrps: readonly Vrp[]): Promise<void> {
  for (let off = 0; off < vrps.length; off += CHUNK) {
    const part = vrps.slice(off, off + CHUNK);
    await client.query(sql, [sourceId, part.map((v) => v.prefix), part.map((v) => v.maxLength), part.map((v) => v.asn)]);
  }
}

const INSERT_VRPS = `INSERT INTO rpki_vrps (source_id, prefix, max_length, asn)
  SELECT $1, u.p, u.m, u.a FROM unnest($2::cidr[], $3::smallint[], $4::bigint[]) AS u(p, m, a)
  ON CONFLICT DO NOTHING`;
const DELETE_VRPS = `DELETE FROM rpki_vrps v USING unnest($2::cidr[], $3::smallint[], $4::bigint[]) AS u(p, m, a)
  WHERE v.source_id = $1 AND v.prefix = u.p AND v.max_length = u.m AND v.asn = u.a`;

/** Stores a source's set (full or delta) with its metadata, in one transaction. */
export async function saveRpkiSourceSet(w: RpkiSetWrite, db: pg.Pool = getPgPool()): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    if ('full' in w.vrps) {
      await client.query('DELETE FROM rpki_vrps WHERE source_id = $1', [w.sourceId]);
      await vrpStatement(client, INSERT_VRPS, w.sourceId, w.vrps.full);
    } else {
      await vrpStatement(client, DELETE_VRPS, w.sourceId, w.vrps.removed);
      await vrpStatement(client, INSERT_VRPS, w.sourceId, w.vrps.added);
    }
    await client.query('DELETE FROM rpki_aspas WHERE source_id = $1', [w.sourceId]);
    if (w.aspas.length > 0) {
      await client.query(
        `INSERT INTO rpki_aspas (source_id, customer_asn, providers)
           SELECT $1, u.c, ARRAY(SELECT jsonb_array_elements_text(u.p)::bigint)
             FROM unnest($2::bigint[], $3::jsonb[]) AS u(c, p)`,
        [w.sourceId, w.aspas.map((a) => a.customerAsn), w.aspas.map((a) => JSON.stringify(a.providers))],
      );
    }
    await client.query(
      `INSERT INTO rpki_sources (source_id, kind, serial, session_id, vrp_count, aspa_count, generated_at, loaded_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000), to_timestamp($8::double precision / 1000), now())
       ON CONFLICT (source_id) DO UPDATE SET kind = EXCLUDED.kind, serial = EXCLUDED.serial, session_id = EXCLUDED.session_id,
         vrp_count = EXCLUDED.vrp_count, aspa_count = EXCLUDED.aspa_count, generated_at = EXCLUDED.generated_at,
         loaded_at = EXCLUDED.loaded_at, updated_at = now()`,
      [w.sourceId, w.kind, w.serial, w.sessionId, w.vrpCount, w.aspas.length, w.generatedAtMs, w.loadedAtMs],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Records a failed load without touching the stored set. */
export async function recordRpkiSourceError(sourceId: string, kind: RpkiSourceKind, message: string, atMs: number, db: pg.Pool = getPgPool()): Promise<void> {
  await db.query(
    `INSERT INTO rpki_sources (source_id, kind, loaded_at, last_error, last_error_at)
       VALUES ($1, $2, to_timestamp(0), $3, to_timestamp($4::double precision / 1000))
     ON CONFLICT (source_id) DO UPDATE SET last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at, updated_at = now()`,
    [sourceId, kind, message.slice(0, 1000), atMs],
  );
}

interface SourceRow {
  source_id: string;
  kind: RpkiSourceKind;
  serial: string | null;
  session_id: number | null;
  vrp_count: number;
  aspa_count: number;
  generated_ms: string | null;
  loaded_ms: string;
  last_error: string | null;
  last_error_ms: string | null;
}

const SOURCE_COLUMNS = `source_id, kind, serial::text, session_id, vrp_count, aspa_count,
  (extract(epoch from generated_at) * 1000)::bigint::text AS generated_ms, (extract(epoch from loaded_at) * 1000)::bigint::text AS loaded_ms,
  last_error, (extract(epoch from last_error_at) * 1000)::bigint::text AS last_error_ms`;

function toSource(r: SourceRow): StoredRpkiSource {
  const num = (s: string | null) => (s === null ? null : Number(s));
  return {
    sourceId: r.source_id,
    kind: r.kind,
    serial: num(r.serial),
    sessionId: r.session_id,
    vrpCount: r.vrp_count,
    aspaCount: r.aspa_count,
    generatedAtMs: num(r.generated_ms),
    loadedAtMs: Number(r.loaded_ms),
    lastError: r.last_error,
    lastErrorAtMs: num(r.last_error_ms),
  };
}

export async function listRpkiSources(db: pg.Pool = getPgPool()): Promise<StoredRpkiSource[]> {
  const r = await db.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM rpki_sources ORDER BY source_id`);
  return r.rows.map(toSource);
}

/** The stored set of one source (VRPs with canonical prefixes, ASPAs), or null when none was stored. */
export async function loadRpkiSourceSet(sourceId: string, db: pg.Pool = getPgPool()): Promise<{ source: StoredRpkiSource; vrps: Vrp[]; aspas: Aspa[] } | null> {
  const s = await db.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM rpki_sources WHERE source_id = $1 AND loaded_at > to_timestamp(0)`, [sourceId]);
  const row = s.rows[0];
  if (!row) return null;
  const v = await db.query<{ p: string; m: number; a: string }>({ text: 'SELECT prefix::text AS p, max_length AS m, asn::text AS a FROM rpki_vrps WHERE source_id = $1', values: [sourceId] });
  // PostgreSQL's IPv6 text is not always RFC 5952 (e.g. mapped addresses): canonicalise those.
  const vrps = v.rows.map((x) => ({ prefix: x.p.includes(':') ? canonicalPrefix(x.p) : x.p, maxLength: x.m, asn: Number(x.a) }));
  const a = await db.query<{ c: string; p: string[] }>('SELECT customer_asn::text AS c, providers::text[] AS p FROM rpki_aspas WHERE source_id = $1 ORDER BY customer_asn', [sourceId]);
  const aspas = a.rows.map((x) => ({ customerAsn: Number(x.c), providers: x.p.map(Number) }));
  return { source: toSource(row), vrps, aspas };
}

/** VRPs (union over sources, distinct) whose prefix covers `prefix`, most specific first. */
export async function listCoveringVrps(prefix: string, db: pg.Pool = getPgPool()): Promise<Vrp[]> {
  const r = await db.query<{ p: string; m: number; a: string }>(
    `SELECT DISTINCT prefix::text AS p, masklen(prefix) AS l, max_length AS m, asn::text AS a
       FROM rpki_vrps WHERE prefix >>= $1::cidr ORDER BY l DESC, p, a, m`,
    [prefix],
  );
  return r.rows.map((x) => ({ prefix: x.p.includes(':') ? canonicalPrefix(x.p) : x.p, maxLength: x.m, asn: Number(x.a) }));
}

export async function saveRpkiState(key: string, value: unknown, db: pg.Pool = getPgPool()): Promise<void> {
  await db.query(
    `INSERT INTO rpki_state (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

export async function getRpkiState(key: string, db: pg.Pool = getPgPool()): Promise<{ value: unknown; updatedAtMs: number } | null> {
  const r = await db.query<{ value: unknown; ms: string }>(`SELECT value, (extract(epoch from updated_at) * 1000)::bigint::text AS ms FROM rpki_state WHERE key = $1`, [key]);
  const row = r.rows[0];
  return row ? { value: row.value, updatedAtMs: Number(row.ms) } : null;
}

/**
 * Inserts rpki_invalid anomalies; one row per dedup key: a repeat detection refreshes the
 * evidence and re-opens the row.
 */
export async function upsertRpkiAnomalies(input: readonly RpkiAnomaly[], db: pg.Pool = getPgPool()): Promise<number> {
  // One row per key per statement (ON CONFLICT cannot touch a row twice); the latest wins.
  const rows = [...new Map(input.map((a) => [a.dedupKey, a])).values()];
  if (rows.length === 0) return 0;
  const r = await db.query(
    `INSERT INTO bgp_anomalies AS x (source, anomaly_type, severity, status, entity_key, prefix, origin_asn, started_at,
        confidence, summary, evidence, dedup_key)
       SELECT 'rpki', 'rpki_invalid', u.severity, 'ongoing', u.entity, u.prefix, u.origin, ('epoch'::timestamptz + u.started_us * interval '1 microsecond'),
              u.confidence, u.summary, u.evidence, u.dedup
         FROM unnest($1::text[], $2::text[], $3::cidr[], $4::bigint[], $5::bigint[], $6::float8[], $7::text[], $8::jsonb[], $9::text[])
              AS u(severity, entity, prefix, origin, started_us, confidence, summary, evidence, dedup)
     ON CONFLICT (dedup_key) DO UPDATE SET evidence = EXCLUDED.evidence, summary = EXCLUDED.summary, severity = EXCLUDED.severity,
        status = 'ongoing', ended_at = NULL, updated_at = now()`,
    [
      rows.map((a) => a.severity),
      rows.map((a) => a.entityKey),
      rows.map((a) => a.prefix),
      rows.map((a) => a.originAsn),
      rows.map((a) => a.startedAtUs),
      rows.map((a) => a.confidence),
      rows.map((a) => a.summary),
      rows.map((a) => JSON.stringify(a.evidence)),
      rows.map((a) => a.dedupKey),
    ],
  );
  return r.rowCount ?? 0;
}

/** The source manager's persistence (lib/rpki/source-manager.ts RpkiStore) on these tables. */
export function createRpkiDbStore(db?: pg.Pool): RpkiStore {
  const pool = () => db ?? getPgPool();
  return {
    async load(sourceId) {
      const s = await loadRpkiSourceSet(sourceId, pool());
      return s && { vrps: s.vrps, aspas: s.aspas, serial: s.source.serial, sessionId: s.source.sessionId, loadedAtMs: s.source.loadedAtMs, generatedAtMs: s.source.generatedAtMs };
    },
    save: (write) => saveRpkiSourceSet(write, pool()),
    recordError: (sourceId, kind, message, atMs) => recordRpkiSourceError(sourceId, kind, message, atMs, pool()),
  };
}

// ---------------------------------------------------------------------------------------------
// Backfilled (historic) routes: verdict counts per committed batch, historic anomalies.

export interface BackfillRpkiBatch {
  fileId: string;
  runId: string;
  /** First record of the batch; a resumed file redoes batches from its committed record on. */
  recordsFrom: number;
  recordsTo: number;
  counts: VerdictCounts;
  /** VRPs in the set the batch was validated against. */
  vrpCount: number;
}

/** Drops a file's batch rows from `fromRecords` on: a (re)started attempt redoes those batches, maybe cut differently. */
export async function clearBackfillRpkiBatches(fileId: string, fromRecords: number, db: pg.Pool = getPgPool()): Promise<void> {
  await db.query('DELETE FROM rpki_backfill_batches WHERE file_id = $1::bigint AND records_from >= $2', [fileId, fromRecords]);
}

/** Stores (or replaces) one batch's counts. */
export async function saveBackfillRpkiBatch(b: BackfillRpkiBatch, db: pg.Pool = getPgPool()): Promise<void> {
  await db.query(
    `INSERT INTO rpki_backfill_batches (file_id, run_id, records_from, records_to, valid, invalid_asn, invalid_length, not_found, vrp_count)
       VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (file_id, records_from) DO UPDATE SET records_to = EXCLUDED.records_to, valid = EXCLUDED.valid, invalid_asn = EXCLUDED.invalid_asn,
       invalid_length = EXCLUDED.invalid_length, not_found = EXCLUDED.not_found, vrp_count = EXCLUDED.vrp_count, created_at = now()`,
    [b.fileId, b.runId, b.recordsFrom, b.recordsTo, b.counts.valid, b.counts.invalidAsn, b.counts.invalidLength, b.counts.notFound, b.vrpCount],
  );
}

export interface BackfillRpkiCounts extends VerdictCounts {
  /** Largest VRP set any batch was validated against (0: no batch validated). */
  vrpCount: number;
}

type CountRow = { k: string; valid: string; ia: string; il: string; nf: string; vrps: number };
const COUNT_SUMS = `sum(valid)::text AS valid, sum(invalid_asn)::text AS ia, sum(invalid_length)::text AS il, sum(not_found)::text AS nf, max(vrp_count) AS vrps`;
const toCounts = (r: CountRow): BackfillRpkiCounts => ({ valid: Number(r.valid), invalidAsn: Number(r.ia), invalidLength: Number(r.il), notFound: Number(r.nf), vrpCount: r.vrps });

/** Verdict counts summed per run (runs without validated batches are absent). */
export async function sumBackfillRpkiByRun(runIds: readonly string[], db: pg.Pool = getPgPool()): Promise<Map<string, BackfillRpkiCounts>> {
  if (runIds.length === 0) return new Map();
  const r = await db.query<CountRow>(`SELECT run_id::text AS k, ${COUNT_SUMS} FROM rpki_backfill_batches WHERE run_id = ANY($1::bigint[]) GROUP BY run_id`, [runIds]);
  return new Map(r.rows.map((x) => [x.k, toCounts(x)]));
}

/** Verdict counts summed per file of one run. */
export async function sumBackfillRpkiByFile(runId: string, db: pg.Pool = getPgPool()): Promise<Map<string, BackfillRpkiCounts>> {
  const r = await db.query<CountRow>(`SELECT file_id::text AS k, ${COUNT_SUMS} FROM rpki_backfill_batches WHERE run_id = $1::bigint GROUP BY file_id`, [runId]);
  return new Map(r.rows.map((x) => [x.k, toCounts(x)]));
}

/**
 * rpki_invalid anomalies found in backfilled data: status resolved, started/ended at the event
 * times of the first/last invalid announcement seen; a repeat (a resumed file, a later batch)
 * widens the interval. An operator's acknowledged/ignored status sticks.
 */
export async function upsertHistoricRpkiAnomalies(input: readonly HistoricRpkiAnomaly[], db: pg.Pool = getPgPool()): Promise<number> {
  const rows = [...new Map(input.map((a) => [a.dedupKey, a])).values()];
  if (rows.length === 0) return 0;
  const r = await db.query(
    `INSERT INTO bgp_anomalies AS x (source, anomaly_type, severity, status, entity_key, prefix, origin_asn, started_at, ended_at,
        confidence, summary, evidence, dedup_key)
       SELECT 'rpki', 'rpki_invalid', u.severity, 'resolved', u.entity, u.prefix, u.origin,
              ('epoch'::timestamptz + u.started_us * interval '1 microsecond'), ('epoch'::timestamptz + u.ended_us * interval '1 microsecond'),
              u.confidence, u.summary, u.evidence, u.dedup
         FROM unnest($1::text[], $2::text[], $3::cidr[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[], $8::text[], $9::jsonb[], $10::text[])
              AS u(severity, entity, prefix, origin, started_us, ended_us, confidence, summary, evidence, dedup)
     ON CONFLICT (dedup_key) DO UPDATE SET evidence = EXCLUDED.evidence, summary = EXCLUDED.summary,
        started_at = LEAST(x.started_at, EXCLUDED.started_at), ended_at = GREATEST(x.ended_at, EXCLUDED.ended_at), updated_at = now()`,
    [
      rows.map((a) => a.severity),
      rows.map((a) => a.entityKey),
      rows.map((a) => a.prefix),
      rows.map((a) => a.originAsn),
      rows.map((a) => a.startedAtUs),
      rows.map((a) => a.endedAtUs),
      rows.map((a) => a.confidence),
      rows.map((a) => a.summary),
      rows.map((a) => JSON.stringify({ ...a.evidence, run_id: a.runId })),
      rows.map((a) => a.dedupKey),
    ],
  );
  return r.rowCount ?? 0;
}

/** Changes whenever any stored set changes (a cheap check before reloading every set). */
export async function rpkiStoreFingerprint(db: pg.Pool = getPgPool()): Promise<string> {
  const r = await db.query<{ f: string }>(`SELECT count(*)::text || '|' || coalesce(max(updated_at)::text, '') AS f FROM rpki_sources`);
  return r.rows[0]?.f ?? '';
}
