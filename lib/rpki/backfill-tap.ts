// RPKI validation of a backfill file's batches as they are committed (lib/rpki/historic.ts says
// what is recorded and why historic routes stay out of the live route table).
//
// Wraps the file pipeline's insert and commit: each inserted batch is validated at once (the
// pipeline calls insert in order), and its counts are written just BEFORE the pipeline commits
// the batch's progress. A worker killed in between resumes from the previous commit, and the
// attempt's first batch replaces every row from there on: per-file sums stay exact across
// resumes. The index comes from the RPKI service in this process, or from the persisted sets.

import type { PipelineDeps } from '@/lib/backfill/file-pipeline';
import { clearBackfillRpkiBatches, saveBackfillRpkiBatch, upsertHistoricRpkiAnomalies } from '@/lib/db/rpki';
import { getLogger, type Logger } from '@/lib/log';
import { validateHistoric, type HistoricResult } from '@/lib/rpki/historic';
import { serviceRpkiContext, type RpkiValidationContext } from '@/lib/rpki/observer';
import { StoredRpkiIndex } from '@/lib/rpki/stored-index';

let stored: StoredRpkiIndex | null = null;

/** The service's index when one runs here, else the persisted sets (loaded once per process). */
async function validationContext(logger: Logger): Promise<RpkiValidationContext | null> {
  const live = serviceRpkiContext();
  if (live) return live.index.size > 0 ? live : null;
  stored ??= new StoredRpkiIndex({ logger });
  return stored.get();
}

/** Releases the stored index's worker thread (CLI exit, tests). */
export async function closeBackfillRpki(): Promise<void> {
  const s = stored;
  stored = null;
  await s?.close();
}

export interface BackfillFileRef {
  id: string;
  runId: string;
  /** Committed record count the attempt starts from. */
  records: number;
}

type Validated = (HistoricResult & { vrpCount: number }) | null;

/** The pipeline deps with RPKI validation of every batch (counts, watched-prefix anomalies). */
export function withBackfillRpki(deps: PipelineDeps, file: BackfillFileRef, logger: Logger = getLogger()): PipelineDeps {
  const log = logger.child({ module: 'rpki-backfill', fileId: file.id });
  const queue: Promise<Validated>[] = [];
  let from = file.records;
  let first = true;
  return {
    ...deps,
    insert(events) {
      queue.push(
        validationContext(log).then((ctx) => (ctx ? { ...validateHistoric(events, ctx.index, ctx.watch, file.runId), vrpCount: ctx.index.size } : null)),
      );
      return deps.insert(events);
    },
    async commit(p) {
      const v = await queue.shift();
      if (first) {
        await clearBackfillRpkiBatches(file.id, file.records);
        first = false;
      }
      if (v) {
        await saveBackfillRpkiBatch({ fileId: file.id, runId: file.runId, recordsFrom: from, recordsTo: p.records, counts: v.counts, vrpCount: v.vrpCount });
        if (v.anomalies.length > 0) await upsertHistoricRpkiAnomalies(v.anomalies);
      } else {
        log.debug({ records: p.records }, 'RPKI: no VRP set available, batch not validated');
      }
      from = p.records;
      await deps.commit(p);
    },
  };
}
