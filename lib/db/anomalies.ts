// bgp_anomalies for the detectors (issue 5): idempotent upserts keyed by dedup_key (type |
// entity | start bucket, lib/detect/lifecycle.ts), evidence merged so that a restarted detector
// or a replay adds to a row instead of duplicating or shrinking it, and filtered keyset listing.
// rpki_invalid rows are written by lib/db/rpki.ts and read here like the others.
//
// Column mapping: for origin_change / more_specific origin_asn is the expected (baseline) origin
// and new_origin_asn the announcing one (filter by a victim's ASN); for other types origin_asn is
// the origin concerned. Lifecycle fields the table has no column for (baseline origins, peak
// peers, last evidence time, watched) travel inside evidence.

import type pg from 'pg';
import { getPgPool } from '@/lib/db/client';
import { InvalidCursorError } from '@/lib/db/event-cursor';
import type { Anomaly, AnomalyEvidence, AnomalyFilter, AnomalyStatus, AnomalyType, Severity, StoredAnomaly } from '@/lib/detect/types';
import { timestamptzToUs, usToTimestamptz } from '@/lib/db/ingest-windows';

const HIJACK_TYPES: ReadonlySet<AnomalyType> = new Set(['origin_change', 'more_specific']);
const SOURCE = 'detector';

// Parameters arrive as text: cast to bigint before the shared µs → timestamptz conversion.
const usToTs = (col: string) => usToTimestamptz(`(${col})::bigint`);
const tsToUs = timestamptzToUs;
const SEVERITY_RANK = (col: string) => `array_position(ARRAY['critical','high','medium','low'], ${col})`;
const jsonUnion = (key: string) =>
  `(SELECT coalesce(jsonb_agg(DISTINCT v), '[]'::jsonb) FROM jsonb_array_elements(coalesce(x.evidence->'${key}', '[]'::jsonb) || coalesce(EXCLUDED.evidence->'${key}', '[]'::jsonb)) v)`;

function toRow(a: Anomaly) {
  const hijack = HIJACK_TYPES.has(a.type);
  return {
    dedup_key: a.dedupKey,
    anomaly_type: a.type,
    severity: a.severity,
    status: a.status,
    entity_key: a.entityKey,
    prefix: a.prefix,
    origin_asn: hijack ? (a.baselineOrigins[0] ?? null) : a.originAsn,
    new_origin_asn: hijack ? a.originAsn : null,
    peer_scope: { peers: a.evidence.peers.length, collectors: a.evidence.collectors },
    started_us: a.startedAtUs,
    ended_us: a.endedAtUs,
    confidence: a.confidence,
    summary: a.summary,
    evidence: { ...a.evidence, baseline_origins: a.baselineOrigins, watched: a.watched, peak_peers: a.peakPeers, last_seen_us: a.lastSeenUs },
  };
}

/**
 * Inserts or merges anomalies by dedup_key: peers and collectors are unions, confidence and peak
 * the maximum, severity the more severe, the start the earliest. An operator's acknowledged or
 * ignored status sticks; a replayed "ongoing" older than a stored end does not re-open it.
 */
export async function upsertAnomalies(anomalies: readonly Anomaly[], db: pg.Pool = getPgPool()): Promise<number> {
  if (anomalies.length === 0) return 0;
  // One row per key per statement (ON CONFLICT cannot touch a row twice); the last state wins.
  const rows = [...new Map(anomalies.map((a) => [a.dedupKey, toRow(a)])).values()];
  const r = await db.query(
    `INSERT INTO bgp_anomalies AS x (source, anomaly_type, severity, status, entity_key, prefix, origin_asn, new_origin_asn, peer_scope,
        started_at, ended_at, confidence, summary, evidence, dedup_key)
     SELECT '${SOURCE}', r.anomaly_type, r.severity, r.status, r.entity_key, r.prefix::cidr, r.origin_asn, r.new_origin_asn, r.peer_scope,
        ${usToTs('r.started_us')}, ${usToTs('r.ended_us')}, r.confidence, r.summary, r.evidence, r.dedup_key
       FROM jsonb_to_recordset($1::jsonb) AS r(dedup_key text, anomaly_type text, severity text, status text, entity_key text, prefix text,
            origin_asn bigint, new_origin_asn bigint, peer_scope jsonb, started_us bigint, ended_us bigint, confidence float8, summary text, evidence jsonb)
     ON CONFLICT (dedup_key) DO UPDATE SET
        severity = CASE WHEN ${SEVERITY_RANK('EXCLUDED.severity')} < ${SEVERITY_RANK('x.severity')} THEN EXCLUDED.severity ELSE x.severity END,
        confidence = GREATEST(x.confidence, EXCLUDED.confidence),
        started_at = LEAST(x.started_at, EXCLUDED.started_at),
        status = CASE
          WHEN x.status IN ('acknowledged', 'ignored') THEN x.status
          WHEN x.status = 'resolved' AND EXCLUDED.status = 'ongoing' AND ${usToTs("EXCLUDED.evidence->>'last_seen_us'")} <= x.ended_at THEN x.status
          ELSE EXCLUDED.status END,
        ended_at = CASE
          WHEN x.status = 'resolved' AND EXCLUDED.status = 'ongoing' AND ${usToTs("EXCLUDED.evidence->>'last_seen_us'")} <= x.ended_at THEN x.ended_at
          ELSE EXCLUDED.ended_at END,
        summary = CASE WHEN EXCLUDED.confidence >= x.confidence THEN EXCLUDED.summary ELSE x.summary END,
        peer_scope = EXCLUDED.peer_scope || jsonb_build_object('peers', GREATEST((x.peer_scope->>'peers')::int, (EXCLUDED.peer_scope->>'peers')::int)),
        evidence = x.evidence || EXCLUDED.evidence || jsonb_build_object(
          'peers', ${jsonUnion('peers')},
          'collectors', ${jsonUnion('collectors')},
          'samples', CASE WHEN jsonb_array_length(coalesce(x.evidence->'samples', '[]'::jsonb)) > 0 THEN x.evidence->'samples' ELSE EXCLUDED.evidence->'samples' END,
          'peak_peers', GREATEST((x.evidence->>'peak_peers')::int, (EXCLUDED.evidence->>'peak_peers')::int),
          'last_seen_us', GREATEST((x.evidence->>'last_seen_us')::bigint, (EXCLUDED.evidence->>'last_seen_us')::bigint)),
        updated_at = now()`,
    [JSON.stringify(rows)],
  );
  return r.rowCount ?? 0;
}

/** Ends ongoing anomalies (status resolved, ended_at); returns how many changed. */
export async function resolveAnomalies(items: readonly { dedupKey: string; endedAtUs: number }[], db: pg.Pool = getPgPool()): Promise<number> {
  if (items.length === 0) return 0;
  const r = await db.query(
    `UPDATE bgp_anomalies x SET status = 'resolved', ended_at = ${usToTs('u.ended_us')}, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS u(dedup_key, ended_us)
      WHERE x.dedup_key = u.dedup_key AND x.status = 'ongoing'`,
    [items.map((i) => i.dedupKey), items.map((i) => i.endedAtUs)],
  );
  return r.rowCount ?? 0;
}

interface AnomalyRow {
  id: string;
  source: string;
  anomaly_type: AnomalyType;
  severity: Severity;
  status: AnomalyStatus;
  entity_key: string;
  prefix: string | null;
  origin_asn: string | null;
  new_origin_asn: string | null;
  started_us: string;
  ended_us: string | null;
  confidence: number;
  summary: string;
  evidence: Record<string, unknown>;
  dedup_key: string;
  created_ms: string;
  updated_ms: string;
}

const SELECT = `SELECT id::text, source, anomaly_type, severity, status, entity_key, prefix::text, origin_asn::text, new_origin_asn::text,
  ${tsToUs('started_at')} AS started_us, ${tsToUs('ended_at')} AS ended_us, confidence, summary, evidence, dedup_key,
  (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms, (extract(epoch FROM updated_at) * 1000)::bigint::text AS updated_ms
  FROM bgp_anomalies`;

const num = (s: string | null): number | null => (s === null ? null : Number(s));

function fromRow(r: AnomalyRow): StoredAnomaly {
  const e = r.evidence;
  const hijack = HIJACK_TYPES.has(r.anomaly_type);
  const origin = num(r.origin_asn);
  const baselineOrigins = Array.isArray(e.baseline_origins) ? (e.baseline_origins as number[]) : origin !== null && hijack ? [origin] : [];
  const evidence: AnomalyEvidence = {
    peers: Array.isArray(e.peers) ? (e.peers as string[]) : [],
    collectors: Array.isArray(e.collectors) ? (e.collectors as string[]) : [],
    samples: Array.isArray(e.samples) ? (e.samples as AnomalyEvidence['samples']) : [],
    // rpki_invalid rows keep their own evidence shape: it is passed through as details.
    details: (e.details as AnomalyEvidence['details'] | undefined) ?? (e as AnomalyEvidence['details']),
    ...(e.heuristic === true ? { heuristic: true } : {}),
  };
  return {
    id: r.id,
    source: r.source,
    type: r.anomaly_type,
    severity: r.severity,
    status: r.status,
    entityKey: r.entity_key,
    prefix: r.prefix,
    baselineOrigins,
    originAsn: hijack ? num(r.new_origin_asn) : origin,
    startedAtUs: Number(r.started_us),
    endedAtUs: num(r.ended_us),
    confidence: r.confidence,
    summary: r.summary,
    evidence,
    watched: e.watched === true,
    dedupKey: r.dedup_key,
    lastSeenUs: typeof e.last_seen_us === 'number' ? e.last_seen_us : Number(r.started_us),
    peakPeers: typeof e.peak_peers === 'number' ? e.peak_peers : evidence.peers.length,
    createdAtMs: Number(r.created_ms),
    updatedAtMs: Number(r.updated_ms),
  };
}

export async function getAnomaly(id: string, db: pg.Pool = getPgPool()): Promise<StoredAnomaly | null> {
  if (!/^\d{1,19}$/.test(id)) return null;
  const r = await db.query<AnomalyRow>(`${SELECT} WHERE id = $1::bigint`, [id]);
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

/** The stored rows of these dedup keys (the push channel serialises what was just upserted). */
export async function getAnomaliesByDedupKeys(keys: readonly string[], db: pg.Pool = getPgPool()): Promise<StoredAnomaly[]> {
  if (keys.length === 0) return [];
  const r = await db.query<AnomalyRow>(`${SELECT} WHERE dedup_key = ANY($1::text[])`, [keys]);
  return r.rows.map(fromRow);
}

export function encodeAnomalyCursor(startedUs: number, id: string): string {
  return Buffer.from(`${startedUs}_${id}`, 'utf8').toString('base64url');
}

export function decodeAnomalyCursor(s: string): { startedUs: string; id: string } {
  const m = /^(\d{1,17})_(\d{1,19})$/.exec(/^[A-Za-z0-9_-]{1,64}$/.test(s) ? Buffer.from(s, 'base64url').toString('utf8') : '');
  if (!m) throw new InvalidCursorError();
  return { startedUs: m[1]!, id: m[2]! };
}

/** Newest first (started_at, id), keyset-paginated. Throws InvalidCursorError on a foreign cursor. */
export async function listAnomalies(filter: AnomalyFilter, db: pg.Pool = getPgPool()): Promise<{ data: StoredAnomaly[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (filter.severity?.length) where.push(`severity = ANY(${p(filter.severity)}::text[])`);
  if (filter.anomalyType?.length) where.push(`anomaly_type = ANY(${p(filter.anomalyType)}::text[])`);
  if (filter.status?.length) where.push(`status = ANY(${p(filter.status)}::text[])`);
  if (filter.prefix) where.push(filter.prefixMatch === 'more_specific' ? `prefix <<= ${p(filter.prefix)}::cidr` : `prefix = ${p(filter.prefix)}::cidr`);
  if (filter.originAsn !== undefined) where.push(`(origin_asn = ${p(filter.originAsn)} OR new_origin_asn = $${params.length})`);
  if (filter.watched !== undefined) where.push(`coalesce((evidence->>'watched')::boolean, false) = ${p(filter.watched)}`);
  if (filter.timeFromUs !== undefined) where.push(`started_at >= ${usToTs(p(filter.timeFromUs))}`);
  if (filter.timeToUs !== undefined) where.push(`started_at < ${usToTs(p(filter.timeToUs))}`);
  if (filter.cursor) {
    const c = decodeAnomalyCursor(filter.cursor);
    where.push(`(started_at, id) < (${usToTs(p(c.startedUs))}, ${p(c.id)}::bigint)`);
  }
  const limit = Math.max(1, Math.min(1000, filter.limit));
  const r = await db.query<AnomalyRow>(
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ${p(limit + 1)}`,
    params,
  );
  const data = r.rows.slice(0, limit).map(fromRow);
  const last = data[data.length - 1];
  return { data, nextCursor: r.rows.length > limit && last ? encodeAnomalyCursor(last.startedAtUs, last.id) : null };
}
