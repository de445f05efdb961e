// One file of a backfill run, end to end: claim its row, fetch it (archive URL → on-disk cache)
// or find it (local path), run the pipeline into bgp_events, record the outcome. Shared by the
// BullMQ processor (workers/backfill.ts) and the CLI's --inline mode.

import { stat } from 'node:fs/promises';
import type { BackfillRunStatus } from '@/lib/backfill/types';
import { PipelineInterrupted, runFilePipeline, type FileEventReader } from '@/lib/backfill/file-pipeline';
import { claimBackfillFile, commitFileProgress, fileProgressOf, finishBackfillFile, type FileProgress } from '@/lib/db/backfills';
import { insertEventBatch } from '@/lib/db/events';
import { recordRibSnapshot } from '@/lib/db/rib-visibility';
import { feedDetection } from '@/lib/detect/pipeline/feed';
import { withBackfillRpki } from '@/lib/rpki/backfill-tap';
import type { Logger } from '@/lib/log';
import { getEnv } from '@/lib/env';
import { trimDownloadCache } from '@/lib/sources/bgpstream/cache-cap';
import { downloadToCache } from '@/lib/sources/bgpstream/download';
import { PermanentError, type RetryOptions } from '@/lib/sources/bgpstream/retry';

export interface ProcessFileDeps {
  read: FileEventReader;
  cacheDir: string;
  /** Size cap of cacheDir in bytes, applied after each file (default BACKFILL_CACHE_MAX_MB). */
  maxCacheBytes?: number;
  batchSize: number;
  writers?: number;
  downloadRetry?: RetryOptions;
  logger: Logger;
  /** Committed progress after each batch (BullMQ: job.updateProgress). */
  onProgress?: (p: FileProgress) => Promise<void> | void;
  /** Aborted on worker shutdown: the file stops after committing, stays 'running', and resumes later. */
  signal?: AbortSignal;
}

export interface ProcessFileResult {
  /** 'skipped': the file was already finished (a repeated job). */
  status: 'done' | 'failed' | 'skipped';
  progress: FileProgress | null;
  /** Set when this file was the run's last: the run's final status. */
  runStatus: BackfillRunStatus | null;
  error?: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/**
 * Throws only for trouble worth retrying (database, network); the caller passes
 * `lastAttempt` so that the final try records the file as failed before giving up.
 */
export async function processBackfillFile(fileId: string, deps: ProcessFileDeps, opts: { lastAttempt: boolean }): Promise<ProcessFileResult> {
  const file = await claimBackfillFile(fileId);
  if (!file) return { status: 'skipped', progress: null, runStatus: null };
  const log = deps.logger.child({ runId: file.runId, fileId, location: file.location });
  const fail = async (error: string, progress: FileProgress | null = null, at: { byteOffset?: number | null; recordIndex?: number | null } = {}) => {
    const runStatus = await finishBackfillFile(file, { status: 'failed', progress, error, errorByteOffset: at.byteOffset ?? null, errorRecord: at.recordIndex ?? null });
    log.warn({ error, ...at }, 'backfill file failed');
    return { status: 'failed' as const, progress, runStatus, error };
  };
  let cachedPath: string | null = null;
  // A RIB dump: its event-time span, for the snapshot of who carries each prefix (visibility).
  const rib = file.dumpType === 'ribs' ? new EventSpan() : null;
  try {
    let path = file.location;
    let bytes: number;
    if (isUrl(file.location)) {
      const dl = await downloadToCache(file.location, { cacheDir: deps.cacheDir, partKey: `file${fileId}`, retry: deps.downloadRetry });
      path = dl.path;
      bytes = dl.bytes;
      cachedPath = dl.path;
    } else {
      try {
        bytes = (await stat(path)).size;
      } catch (err) {
        return await fail(`cannot read ${path}: ${(err as Error).message}`);
      }
    }
    // RPKI: every batch validated as it commits, without entering the live route table (lib/rpki/backfill-tap.ts).
    const result = await runFilePipeline(path, file.collector, fileProgressOf(file), withBackfillRpki({
      read: deps.read,
      insert: async (events) => {
        if (rib) for (const e of events) rib.note(e.timestampUs);
        const r = await insertEventBatch(events, { recordWindows: true });
        // Backfilled events go through the same detection path as live ones; replays are idempotent (dedup keys).
        feedDetection(events, Date.now());
        return r;
      },
      commit: async (p) => {
        await commitFileProgress(file, p, { bytes });
        await deps.onProgress?.(p);
      },
      batchSize: deps.batchSize,
      writers: deps.writers,
      signal: deps.signal,
    }, { id: file.id, runId: file.runId, records: file.records }, log));
    if (result.failure) return await fail(result.failure.message, result.progress, result.failure);
    if (rib) await recordRib(file, rib, log);
    const runStatus = await finishBackfillFile(file, { status: 'done', progress: result.progress });
    log.debug({ ...result.progress }, 'backfill file done');
    return { status: 'done', progress: result.progress, runStatus };
  } catch (err) {
    if (err instanceof PipelineInterrupted) throw err;
    // A 404 will not get better; anything else is retried until the last attempt.
    if (err instanceof PermanentError || opts.lastAttempt) return await fail((err as Error).message);
    throw err;
  } finally {
    if (cachedPath !== null) await trimCache(deps, cachedPath, log);
  }
}

/** Applies the cache's size cap; a failure to trim is logged, never fails the file. */
async function trimCache(deps: ProcessFileDeps, current: string, log: Logger): Promise<void> {
  const maxBytes = deps.maxCacheBytes ?? getEnv().BACKFILL_CACHE_MAX_MB * 1024 * 1024;
  try {
    // The file just processed stays: a retry or a sibling job of the same URL reuses it.
    const r = await trimDownloadCache(deps.cacheDir, maxBytes, [current]);
    if (r.removed.length > 0) log.info({ removed: r.removed.length, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter, maxBytes }, 'download cache trimmed');
  } catch (err) {
    log.warn({ err: (err as Error).message, cacheDir: deps.cacheDir }, 'download cache trim failed');
  }
}

/** Smallest and largest event time seen (µs). */
class EventSpan {
  fromUs = Infinity;
  toUs = -Infinity;
  note(us: number): void {
    if (us < this.fromUs) this.fromUs = us;
    if (us > this.toUs) this.toUs = us;
  }
}

/**
 * Records the RIB snapshot of a loaded dump (lib/db/rib-visibility.ts), at the records' event
 * time (seconds after the nominal time in the file name). A resumed file saw only its later
 * batches; a dump's records all carry its start time, so their span is the dump's.
 * A failure is logged and leaves visibility on updates only: the events are stored either way.
 */
async function recordRib(file: { id: string; collector: string; initialTime: number | null }, span: EventSpan, log: Logger): Promise<void> {
  // Nothing left to read after a resume: the file's nominal time (RIS names bviews by it).
  if (!Number.isFinite(span.fromUs) && file.initialTime !== null) span.note(file.initialTime * 1_000_000);
  if (!Number.isFinite(span.fromUs)) return;
  try {
    const r = await recordRibSnapshot({ collector: file.collector, fileId: file.id, fromUs: span.fromUs, toUs: span.toUs });
    log.info({ ...r }, 'RIB snapshot recorded');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'RIB snapshot not recorded');
  }
}
