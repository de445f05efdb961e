// The per-file pipeline of a backfill: records from a reader → batches of events → idempotent
// inserts → committed progress. I/O comes in as functions, so it is tested with fakes and runs
// the same under a BullMQ worker and in-process (--inline).
//
// Resume: progress is committed after each batch as "records before N are stored". A restarted
// attempt skips the records before N without inserting them and goes on; the batch in flight
// when a worker died is inserted again and lands as duplicates (primary-key dedup), so a killed
// and restarted file ends with exactly the rows of a clean run.

import type { BgpEvent } from '@/lib/bgp/types';
import type { FileProgress } from '@/lib/db/backfills';

/** The events of one MRT record, with where it sits in the decompressed stream. */
export interface RecordEvents {
  recordIndex: number;
  byteOffset: number;
  events: BgpEvent[];
}

export interface ReaderInput {
  path: string;
  collector: string;
  /** A record the parser skipped (content invalid, framing intact). */
  onSkip: (recordIndex: number, reason: string) => void;
}

/**
 * Yields every good record in order, in chunks (one per decompressed input chunk: fewer async
 * steps). A stream it cannot decode past ends with a thrown error carrying numeric `byteOffset`
 * and `recordIndex` (MrtParseError) after the good records.
 */
export type FileEventReader = (input: ReaderInput) => AsyncIterable<RecordEvents[]>;

export interface InsertOutcome {
  inserted: number;
  duplicates: number;
  rejected: number;
}

export interface PipelineDeps {
  read: FileEventReader;
  insert: (events: BgpEvent[]) => Promise<InsertOutcome>;
  /** Persists committed progress (in order; never concurrently). */
  commit: (p: FileProgress) => Promise<void>;
  batchSize: number;
  /** Inserts in flight at once (parsing goes on meanwhile). */
  writers?: number;
  /** Worker shutdown: commit what was read, then stop with PipelineInterrupted. */
  signal?: AbortSignal;
}

/** The pipeline stopped early on request (shutdown); its progress is committed. */
export class PipelineInterrupted extends Error {
  override name = 'PipelineInterrupted';
}

export interface ParseFailure {
  message: string;
  byteOffset: number | null;
  recordIndex: number | null;
}

export interface PipelineResult {
  progress: FileProgress;
  /** Set when the file could not be read to its end (corrupt, truncated, unreadable). */
  failure: ParseFailure | null;
}

/** Marks an insert/commit error thrown through the reader loop, so it is not taken for a parse error. */
class WriteFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('write failed');
  }
}

export function toParseFailure(err: unknown): ParseFailure {
  const e = err as { message?: unknown; byteOffset?: unknown; recordIndex?: unknown } | null;
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    byteOffset: typeof e?.byteOffset === 'number' ? e.byteOffset : null,
    recordIndex: typeof e?.recordIndex === 'number' ? e.recordIndex : null,
  };
}

export async function runFilePipeline(path: string, collector: string, start: FileProgress, deps: PipelineDeps): Promise<PipelineResult> {
  const p: FileProgress = { ...start };
  const writers = Math.max(1, deps.writers ?? 2);
  let batch: BgpEvent[] = [];
  let skippedSinceCommit = 0;
  // Inserts run in order of submission; progress is committed in that order once each lands.
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];

  const submit = async (events: BgpEvent[], upTo: { records: number; byteOffset: number }) => {
    const skipped = skippedSinceCommit;
    skippedSinceCommit = 0;
    const inserting = deps.insert(events);
    const done = tail.then(async () => {
      const r = await inserting;
      p.records = upTo.records;
      p.byteOffset = upTo.byteOffset;
      p.events += events.length;
      p.inserted += r.inserted;
      p.duplicates += r.duplicates;
      p.skipped += r.rejected + skipped;
      await deps.commit({ ...p });
    });
    // Keep the chain alive on failure so the error surfaces once, where it is awaited.
    tail = done.catch(() => undefined);
    inFlight.push(done);
    while (inFlight.length >= writers) {
      try {
        await inFlight.shift();
      } catch (err) {
        throw new WriteFailure(err);
      }
    }
  };

  let failure: ParseFailure | null = null;
  let last: { index: number; byteOffset: number } | null = null;
  let interruptedAt: RecordEvents | null = null;
  try {
    const onSkip = (recordIndex: number) => {
      if (recordIndex >= start.records) skippedSinceCommit++;
    };
    for await (const chunk of deps.read({ path, collector, onSkip })) {
      if (deps.signal?.aborted && last) {
        interruptedAt = chunk[0] ?? null;
        break;
      }
      for (const rec of chunk) {
        if (rec.recordIndex < start.records) continue;
        if (batch.length >= deps.batchSize && last && rec.recordIndex > last.index) {
          // Cut only between records, so "records before N are stored" stays true.
          const full = batch;
          batch = [];
          await submit(full, { records: rec.recordIndex, byteOffset: rec.byteOffset });
        }
        for (const e of rec.events) batch.push(e);
        last = { index: rec.recordIndex, byteOffset: rec.byteOffset };
      }
    }
  } catch (err) {
    // A failed write is not the file's fault: it propagates (the job is retried).
    if (err instanceof WriteFailure) {
      await Promise.allSettled(inFlight);
      throw err.cause;
    }
    failure = toParseFailure(err);
  }
  const endRecords = failure?.recordIndex ?? interruptedAt?.recordIndex ?? (last ? last.index + 1 : p.records);
  const endOffset = failure?.byteOffset ?? interruptedAt?.byteOffset ?? last?.byteOffset ?? p.byteOffset;
  if (batch.length > 0 || skippedSinceCommit > 0 || endRecords !== p.records) {
    await submit(batch, { records: Math.max(endRecords, start.records), byteOffset: endOffset });
  }
  await Promise.all(inFlight);
  if (interruptedAt) throw new PipelineInterrupted(`interrupted at record ${interruptedAt.recordIndex} (progress committed)`);
  return { progress: p, failure };
}
