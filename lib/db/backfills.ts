// backfill_runs / backfill_files: runs and their files, committed per-file progress, run totals,
// and the gap-fill bookkeeping on ingest_gaps. Every state change is one conditional UPDATE, so
// several worker processes can share a run without locks held across jobs.

import type pg from 'pg';
import type { BackfillFileRow, BackfillFileStatus, BackfillRequest, BackfillRunRow, BackfillRunStatus, DumpFile } from '@/lib/backfill/types';
import { getPgPool } from '@/lib/db/client';
import { InvalidCursorError } from '@/lib/db/event-cursor';
import { timestamptzToUs } from '@/lib/db/ingest-windows';

/** Committed progress of one file: everything before `records` is in bgp_events. */
export type FileProgress = Pick<BackfillFileRow, 'records' | 'events' | 'inserted' | 'duplicates' | 'skipped' | 'byteOffset'>;

const us = (col: string) => `(${timestamptzToUs(col)})`;
const RUN_COLUMNS = `id::text, ${us('created_at')} AS created_us, params, status, files_total, files_done, files_failed,
  records::text, events::text, inserted::text, duplicates::text, errors, gap_id::text,
  ${us('started_at')} AS started_us, ${us('finished_at')} AS finished_us, ${us('updated_at')} AS updated_us, last_error`;
const FILE_COLUMNS = `id::text, run_id::text, location, project, collector, dump_type,
  extract(epoch from interval_start)::bigint::text AS interval_start_s,
  (extract(epoch from interval_end) - extract(epoch from interval_start))::bigint::text AS duration_s,
  status, bytes::text, records::text, events::text, inserted::text, duplicates::text, skipped::text, byte_offset::text,
  error, error_byte_offset::text, error_record::text, attempts,
  ${us('started_at')} AS started_us, ${us('finished_at')} AS finished_us, ${us('updated_at')} AS updated_us`;

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const usToMs = (v: unknown): number | null => (v === null || v === undefined ? null : Math.floor(Number(v) / 1000));

function toRun(r: Row): BackfillRunRow {
  return {
    id: String(r.id),
    createdAtMs: usToMs(r.created_us) ?? 0,
    params: r.params as BackfillRequest,
    status: r.status as BackfillRunStatus,
    filesTotal: num(r.files_total),
    filesDone: num(r.files_done),
    filesFailed: num(r.files_failed),
    records: num(r.records),
    events: num(r.events),
    inserted: num(r.inserted),
    duplicates: num(r.duplicates),
    errors: num(r.errors),
    gapId: (r.gap_id as string | null) ?? null,
    startedAtMs: usToMs(r.started_us),
    finishedAtMs: usToMs(r.finished_us),
    updatedAtMs: usToMs(r.updated_us) ?? 0,
    lastError: (r.last_error as string | null) ?? null,
  };
}

function toFile(r: Row): BackfillFileRow {
  return {
    id: String(r.id),
    runId: String(r.run_id),
    location: String(r.location),
    project: (r.project as string | null) ?? null,
    collector: String(r.collector),
    dumpType: r.dump_type as BackfillFileRow['dumpType'],
    initialTime: numOrNull(r.interval_start_s),
    duration: numOrNull(r.duration_s),
    status: r.status as BackfillFileStatus,
    bytes: numOrNull(r.bytes),
    records: num(r.records),
    events: num(r.events),
    inserted: num(r.inserted),
    duplicates: num(r.duplicates),
    skipped: num(r.skipped),
    byteOffset: num(r.byte_offset),
    error: (r.error as string | null) ?? null,
    errorByteOffset: numOrNull(r.error_byte_offset),
    errorRecord: numOrNull(r.error_record),
    attempts: num(r.attempts),
    startedAtMs: usToMs(r.started_us),
    finishedAtMs: usToMs(r.finished_us),
    updatedAtMs: usToMs(r.updated_us) ?? 0,
  };
}

export function fileProgressOf(f: BackfillFileRow): FileProgress {
  return { records: f.records, events: f.events, inserted: f.inserted, duplicates: f.duplicates, skipped: f.skipped, byteOffset: f.byteOffset };
}

/** A new run. With files it is 'running'; without (an archive run) 'planning' until addRunFiles. */
export async function createBackfillRun(
  params: BackfillRequest,
  files: readonly DumpFile[] | null,
  db: pg.Pool = getPgPool(),
): Promise<BackfillRunRow> {
  const gapId = params.kind === 'archive' && params.gapId !== undefined ? params.gapId : null;
  const r = await db.query<Row>(
    `INSERT INTO backfill_runs (params, status, gap_id) VALUES ($1::jsonb, 'planning', $2::bigint) RETURNING ${RUN_COLUMNS}`,
    [JSON.stringify(params), gapId],
  );
  const run = toRun(r.rows[0]!);
  if (files === null) return run;
  await addRunFiles(run.id, files, db);
  return (await getBackfillRun(run.id, db))!.run;
}

/** Adds files to a run (repeats by location are ignored) and moves it to 'running'. */
export async function addRunFiles(runId: string, files: readonly DumpFile[], db: pg.Pool = getPgPool()): Promise<BackfillFileRow[]> {
  await db.query(
    `INSERT INTO backfill_files (run_id, location, project, collector, dump_type, interval_start, interval_end)
     SELECT $1::bigint, f.location, f.project, f.collector, f.dump_type,
            to_timestamp(f.initial_time), to_timestamp(f.initial_time + coalesce(f.duration, 0))
       FROM jsonb_to_recordset($2::jsonb) AS f(location text, project text, collector text, dump_type text, initial_time bigint, duration bigint)
     ON CONFLICT (run_id, location) DO NOTHING`,
    [runId, JSON.stringify(files.map((f) => ({ location: f.location, project: f.project, collector: f.collector, dump_type: f.dumpType, initial_time: f.initialTime, duration: f.duration })))],
  );
  await db.query(
    `UPDATE backfill_runs SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
            files_total = (SELECT count(*) FROM backfill_files WHERE run_id = $1::bigint)
      WHERE id = $1::bigint AND status IN ('planning', 'running')`,
    [runId],
  );
  return listRunFiles(runId, db);
}

export async function listRunFiles(runId: string, db: pg.Pool = getPgPool()): Promise<BackfillFileRow[]> {
  const r = await db.query<Row>(`SELECT ${FILE_COLUMNS} FROM backfill_files WHERE run_id = $1::bigint ORDER BY id`, [runId]);
  return r.rows.map(toFile);
}

/**
 * Marks a file running for one more attempt and returns it with its committed progress, or null
 * when it is already finished (a repeated job has nothing left to do).
 */
export async function claimBackfillFile(fileId: string, db: pg.Pool = getPgPool()): Promise<BackfillFileRow | null> {
  const r = await db.query<Row>(
    `UPDATE backfill_files SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
      WHERE id = $1::bigint AND status IN ('pending', 'running') RETURNING ${FILE_COLUMNS}`,
    [fileId],
  );
  const row = r.rows[0];
  return row ? toFile(row) : null;
}

/**
 * Stores a file's committed progress (absolute values) and adds what changed to its run's totals
 * in the same statement: a batch costs two row updates, not a re-sum over every file of the run
 * (the full re-sum runs once per file end, finishBackfillFile).
 */
export async function commitFileProgress(
  file: { id: string; runId: string },
  p: FileProgress,
  extra: { bytes?: number } = {},
  db: pg.Pool = getPgPool(),
): Promise<void> {
  await db.query(
    `WITH old AS (SELECT id, records, events, inserted, duplicates FROM backfill_files WHERE id = $1::bigint AND status = 'running' FOR UPDATE),
     f AS (UPDATE backfill_files x SET records = $2, events = $3, inserted = $4, duplicates = $5, skipped = $6, byte_offset = $7,
                  bytes = coalesce($8::bigint, x.bytes), updated_at = now()
             FROM old WHERE x.id = old.id
           RETURNING x.run_id, $2::bigint - old.records AS dr, $3::bigint - old.events AS de, $4::bigint - old.inserted AS di, $5::bigint - old.duplicates AS dd)
     UPDATE backfill_runs r SET records = r.records + f.dr, events = r.events + f.de, inserted = r.inserted + f.di,
            duplicates = r.duplicates + f.dd, updated_at = now()
       FROM f WHERE r.id = f.run_id`,
    [file.id, p.records, p.events, p.inserted, p.duplicates, p.skipped, p.byteOffset, extra.bytes ?? null],
  );
}

export interface FileOutcome {
  status: 'done' | 'failed';
  /** null keeps the committed progress as it is. */
  progress: FileProgress | null;
  error?: string;
  errorByteOffset?: number | null;
  errorRecord?: number | null;
}

/** Ends a file (done or failed) and, when it was the run's last one, the run. Returns the run's final status then. */
export async function finishBackfillFile(
  file: { id: string; runId: string },
  o: FileOutcome,
  db: pg.Pool = getPgPool(),
): Promise<BackfillRunStatus | null> {
  const p = o.progress;
  await db.query(
    `UPDATE backfill_files SET status = $2, records = coalesce($3, records), events = coalesce($4, events), inserted = coalesce($5, inserted),
            duplicates = coalesce($6, duplicates), skipped = coalesce($7, skipped), byte_offset = coalesce($8, byte_offset),
            error = $9, error_byte_offset = $10, error_record = $11, finished_at = now(), updated_at = now()
      WHERE id = $1::bigint AND status IN ('pending', 'running')`,
    [file.id, o.status, p?.records, p?.events, p?.inserted, p?.duplicates, p?.skipped, p?.byteOffset, o.error ?? null, o.errorByteOffset ?? null, o.errorRecord ?? null],
  );
  if (o.status === 'failed' && o.error) {
    await db.query(`UPDATE backfill_runs SET last_error = $2 WHERE id = $1::bigint`, [file.runId, o.error.slice(0, 2000)]);
  }
  await refreshRunTotals(file.runId, db);
  return completeRunIfFinished(file.runId, db);
}

async function refreshRunTotals(runId: string, db: pg.Pool): Promise<void> {
  await db.query(
    `UPDATE backfill_runs r SET files_total = s.total, files_done = s.done, files_failed = s.failed, errors = s.failed,
            records = s.records, events = s.events, inserted = s.inserted, duplicates = s.duplicates, updated_at = now()
       FROM (SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'done')::int AS done,
                    count(*) FILTER (WHERE status = 'failed')::int AS failed, coalesce(sum(records), 0) AS records,
                    coalesce(sum(events), 0) AS events, coalesce(sum(inserted), 0) AS inserted, coalesce(sum(duplicates), 0) AS duplicates
               FROM backfill_files WHERE run_id = $1::bigint) s
      WHERE r.id = $1::bigint`,
    [runId],
  );
}

/**
 * Closes the run once no file is pending or running: done (no failures), partial (some), failed
 * (all, or none planned). The gap it fills follows: done, or failed when anything failed.
 * Conditional, so exactly one caller closes it. Returns the final status, or null if still open.
 */
export async function completeRunIfFinished(runId: string, db: pg.Pool = getPgPool()): Promise<BackfillRunStatus | null> {
  const r = await db.query<{ status: BackfillRunStatus; gap_id: string | null }>(
    `UPDATE backfill_runs SET finished_at = now(), updated_at = now(),
            status = CASE WHEN files_failed = 0 AND files_total > 0 THEN 'done' WHEN files_done > 0 THEN 'partial' ELSE 'failed' END
      WHERE id = $1::bigint AND status = 'running'
        AND NOT EXISTS (SELECT 1 FROM backfill_files f WHERE f.run_id = $1::bigint AND f.status IN ('pending', 'running'))
      RETURNING status, gap_id::text`,
    [runId],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (row.gap_id) await setGapBackfillStatus(row.gap_id, row.status === 'done' ? 'done' : 'failed', db);
  return row.status;
}

/**
 * Files of a run still pending/running when nothing will process them any more (their job
 * failed for good without reaching our code, e.g. its worker died on the last attempt).
 */
export async function failUnfinishedFiles(runId: string, message: string, db: pg.Pool = getPgPool()): Promise<number> {
  const r = await db.query(
    `UPDATE backfill_files SET status = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE run_id = $1::bigint AND status IN ('pending', 'running')`,
    [runId, message],
  );
  if ((r.rowCount ?? 0) > 0) {
    await db.query(`UPDATE backfill_runs SET last_error = $2 WHERE id = $1::bigint`, [runId, message]);
    await refreshRunTotals(runId, db);
  }
  return r.rowCount ?? 0;
}

/** A run that cannot go on (planning failed): failed, with the reason; its gap too. */
export async function failBackfillRun(runId: string, message: string, db: pg.Pool = getPgPool()): Promise<void> {
  const r = await db.query<{ gap_id: string | null }>(
    `UPDATE backfill_runs SET status = 'failed', last_error = $2, finished_at = now(), updated_at = now()
      WHERE id = $1::bigint AND status IN ('planning', 'running') RETURNING gap_id::text`,
    [runId, message.slice(0, 2000)],
  );
  const gap = r.rows[0]?.gap_id;
  if (gap) await setGapBackfillStatus(gap, 'failed', db);
}

/** The run's row alone (no files): what a progress display polls. */
export async function getBackfillRunRow(id: string, db: pg.Pool = getPgPool()): Promise<BackfillRunRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const r = await db.query<Row>(`SELECT ${RUN_COLUMNS} FROM backfill_runs WHERE id = $1::bigint`, [id]);
  const row = r.rows[0];
  return row ? toRun(row) : null;
}

export async function getBackfillRun(id: string, db: pg.Pool = getPgPool()): Promise<{ run: BackfillRunRow; files: BackfillFileRow[] } | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const r = await db.query<Row>(`SELECT ${RUN_COLUMNS} FROM backfill_runs WHERE id = $1::bigint`, [id]);
  const row = r.rows[0];
  if (!row) return null;
  return { run: toRun(row), files: await listRunFiles(id, db) };
}

/** Opaque keyset cursor over run ids (newest first). */
export function encodeRunCursor(id: string): string {
  return Buffer.from(`run${id}`, 'utf8').toString('base64url');
}

export function decodeRunCursor(s: string): string {
  const m = /^run(\d{1,18})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return m[1]!;
}

/** Runs, newest first; nextCursor continues after the last one. */
export async function listBackfillRuns(
  q: { limit: number; cursor?: string },
  db: pg.Pool = getPgPool(),
): Promise<{ data: BackfillRunRow[]; nextCursor: string | null }> {
  const limit = Math.max(1, Math.floor(q.limit));
  const before = q.cursor === undefined ? null : decodeRunCursor(q.cursor);
  const r = await db.query<Row>(
    `SELECT ${RUN_COLUMNS} FROM backfill_runs WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2`,
    [before, limit + 1],
  );
  const data = r.rows.slice(0, limit).map(toRun);
  const last = data[data.length - 1];
  return { data, nextCursor: r.rows.length > limit && last ? encodeRunCursor(last.id) : null };
}

// ---------------------------------------------------------------------------------------------
// Gap fill

export interface PendingGap {
  id: string;
  source: string;
  /** Event time bounds (µs) when known, else the wall-clock bounds of the outage (µs). */
  fromUs: number;
  toUs: number;
  eventTimeKnown: boolean;
  endedAtMs: number;
}

/** Gaps waiting for a backfill, oldest first. */
export async function listPendingGaps(limit: number, db: pg.Pool = getPgPool()): Promise<PendingGap[]> {
  const r = await db.query<Row>(
    `SELECT id::text, source, ${timestamptzToUs('coalesce(event_time_from, started_at)')} AS f,
            ${timestamptzToUs('coalesce(event_time_to, ended_at)')} AS t,
            (event_time_from IS NOT NULL AND event_time_to IS NOT NULL) AS known, ${timestamptzToUs('ended_at')} AS e
       FROM ingest_gaps WHERE backfill_status = 'pending' ORDER BY id LIMIT $1`,
    [Math.max(0, Math.floor(limit))],
  );
  return r.rows.map((g) => ({
    id: String(g.id),
    source: String(g.source),
    fromUs: Number(g.f),
    toUs: Number(g.t),
    eventTimeKnown: Boolean(g.known),
    endedAtMs: Math.floor(Number(g.e) / 1000),
  }));
}

/** pending → scheduled, atomically: true for exactly one of several concurrent scanners. */
export async function claimGapForBackfill(gapId: string, db: pg.Pool = getPgPool()): Promise<boolean> {
  const r = await db.query(`UPDATE ingest_gaps SET backfill_status = 'scheduled' WHERE id = $1::bigint AND backfill_status = 'pending'`, [gapId]);
  return (r.rowCount ?? 0) > 0;
}

export async function setGapBackfillStatus(gapId: string, status: 'pending' | 'scheduled' | 'done' | 'failed' | 'skipped', db: pg.Pool = getPgPool()): Promise<void> {
  await db.query(`UPDATE ingest_gaps SET backfill_status = $2 WHERE id = $1::bigint`, [gapId, status]);
}

export async function getGapBackfillStatus(gapId: string, db: pg.Pool = getPgPool()): Promise<string | null> {
  const r = await db.query<{ s: string }>(`SELECT backfill_status AS s FROM ingest_gaps WHERE id = $1::bigint`, [gapId]);
  return r.rows[0]?.s ?? null;
}
