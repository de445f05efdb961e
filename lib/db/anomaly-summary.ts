// Aggregates over bgp_anomalies for the summary and incidents endpoints: counts by type,
// severity and status in one pass, and the window's anomalies for correlation. Windows are event
// time: an open end resolves to the newest anomaly's start (never the wall clock).

import type pg from 'pg';
import { getPgPool } from '@/lib/db/client';
import { listAnomalies } from '@/lib/db/anomalies';
import { timestamptzToUs, usToTimestamptz } from '@/lib/db/ingest-windows';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES, type AnomalyStatus, type AnomalyType, type Severity, type StoredAnomaly } from '@/lib/detect/types';

export interface WindowSpec {
  startUs: number | null;
  endUs: number | null;
  /** Length before the end when startUs is null. */
  lengthS: number | null;
}

export interface ResolvedWindow {
  /** null when there is no anomaly at all to anchor an open window on. */
  startUs: number | null;
  endUs: number | null;
}

export interface AnomalySummary extends ResolvedWindow {
  total: number;
  watchedOngoing: number;
  byType: Record<AnomalyType, number>;
  bySeverity: Record<Severity, number>;
  byStatus: Record<AnomalyStatus, number>;
}

const usToTs = (param: string) => usToTimestamptz(`(${param})::bigint`);

/** Fills an open end with the newest started_at (+1 µs: the window's end is exclusive). */
export async function resolveWindow(w: WindowSpec, db: pg.Pool = getPgPool()): Promise<ResolvedWindow> {
  let endUs = w.endUs;
  if (endUs === null) {
    const r = await db.query<{ us: string | null }>(`SELECT ${timestamptzToUs('max(started_at)')} AS us FROM bgp_anomalies`);
    const newest = r.rows[0]?.us;
    if (newest === null || newest === undefined) return { startUs: w.startUs, endUs: null };
    endUs = Number(newest) + 1;
  }
  const startUs = w.startUs ?? (w.lengthS !== null ? endUs - w.lengthS * 1_000_000 : null);
  return { startUs, endUs };
}

const zeroes = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts of anomalies that started in [start, end), grouped three ways by one GROUPING SETS scan. */
export async function summarizeAnomalies(w: WindowSpec, db: pg.Pool = getPgPool()): Promise<AnomalySummary> {
  const win = await resolveWindow(w, db);
  const out: AnomalySummary = { ...win, total: 0, watchedOngoing: 0, byType: zeroes(ANOMALY_TYPES), bySeverity: zeroes(SEVERITIES), byStatus: zeroes(ANOMALY_STATUSES) };
  if (win.endUs === null && win.startUs === null && w.endUs === null) return out;
  const where: string[] = [];
  const params: unknown[] = [];
  if (win.startUs !== null) where.push(`started_at >= ${usToTs(`$${params.push(win.startUs)}`)}`);
  if (win.endUs !== null) where.push(`started_at < ${usToTs(`$${params.push(win.endUs)}`)}`);
  const r = await db.query<{ anomaly_type: string | null; severity: string | null; status: string | null; g: number; n: string; watched: string }>(
    `SELECT anomaly_type, severity, status, GROUPING(anomaly_type, severity, status) AS g, count(*)::text AS n,
            count(*) FILTER (WHERE status = 'ongoing' AND coalesce((evidence->>'watched')::boolean, false))::text AS watched
       FROM bgp_anomalies ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY GROUPING SETS ((anomaly_type), (severity), (status), ())`,
    params,
  );
  for (const row of r.rows) {
    const n = Number(row.n);
    // GROUPING bits: 4 = anomaly_type rolled up, 2 = severity, 1 = status.
    if (row.g === 7) {
      out.total = n;
      out.watchedOngoing = Number(row.watched);
    } else if (row.g === 3 && row.anomaly_type !== null && row.anomaly_type in out.byType) out.byType[row.anomaly_type as AnomalyType] = n;
    else if (row.g === 5 && row.severity !== null && row.severity in out.bySeverity) out.bySeverity[row.severity as Severity] = n;
    else if (row.g === 6 && row.status !== null && row.status in out.byStatus) out.byStatus[row.status as AnomalyStatus] = n;
  }
  return out;
}

/** The newest `max` anomalies that started in the window (for correlation), and whether more exist. */
export async function loadWindowAnomalies(
  w: WindowSpec,
  max: number,
  db: pg.Pool = getPgPool(),
): Promise<ResolvedWindow & { anomalies: StoredAnomaly[]; truncated: boolean }> {
  const win = await resolveWindow(w, db);
  if (win.endUs === null && win.startUs === null && w.endUs === null) return { ...win, anomalies: [], truncated: false };
  const anomalies: StoredAnomaly[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listAnomalies(
      { limit: Math.min(1000, max - anomalies.length), ...(win.startUs !== null ? { timeFromUs: win.startUs } : {}), ...(win.endUs !== null ? { timeToUs: win.endUs } : {}), ...(cursor ? { cursor } : {}) },
      db,
    );
    anomalies.push(...page.data);
    if (!page.nextCursor) return { ...win, anomalies, truncated: false };
    if (anomalies.length >= max) return { ...win, anomalies, truncated: true };
    cursor = page.nextCursor;
  }
}
