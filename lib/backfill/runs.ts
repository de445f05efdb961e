// Starting and planning backfill runs, and turning ingest gaps into runs. Shared by the API,
// the CLI and the worker; the per-file work is lib/backfill/process-file.ts.

import { brokerQueryFor, dumpFileForPath, gapBackfillRequest, gapIsReady } from '@/lib/backfill/plan';
import type { BackfillRequest, DumpFile } from '@/lib/backfill/types';
import { addRunFiles, claimGapForBackfill, createBackfillRun, failBackfillRun, getBackfillRun, listPendingGaps, setGapBackfillStatus } from '@/lib/db/backfills';
import { enqueueBackfillFlow, enqueueBackfillPlan } from '@/lib/queue/backfill-flow';
import { listDumpFiles, type BrokerClientOptions } from '@/lib/sources/bgpstream/broker';

/** Creates the run and enqueues its work: the files' flow, or (archive) the planning job. */
export async function startBackfill(request: BackfillRequest): Promise<{ id: string }> {
  const run = await createBackfillRun(request, null);
  try {
    if (request.kind === 'files') {
      const files = await addRunFiles(run.id, localDumpFiles(request));
      await enqueueBackfillFlow(run.id, files.map((f) => f.id));
    } else {
      await enqueueBackfillPlan(run.id);
    }
  } catch (err) {
    // Nothing will process it (Redis down?): the run must not sit 'planning' forever.
    await failBackfillRun(run.id, `could not enqueue: ${(err as Error).message}`).catch(() => undefined);
    throw err;
  }
  return { id: run.id };
}

export function localDumpFiles(request: Extract<BackfillRequest, { kind: 'files' }>): DumpFile[] {
  return request.files.map((f) => (/^https?:\/\//i.test(f) ? urlDumpFile(f, request.collector) : dumpFileForPath(f, request.collector)));
}

function urlDumpFile(url: string, collector?: string): DumpFile {
  const meta = dumpFileForPath(new URL(url).pathname, collector);
  return { ...meta, location: url };
}

/**
 * Lists an archive run's files with the broker and adds them to the run. Returns the ids of the
 * files still to do. A broker that lists nothing fails the run (and its gap): nothing can fill it.
 */
export async function planArchiveRun(runId: string, broker: BrokerClientOptions = {}): Promise<string[]> {
  const found = await getBackfillRun(runId);
  if (!found) throw new Error(`backfill run ${runId} does not exist`);
  const { run } = found;
  if (run.params.kind !== 'archive') throw new Error(`backfill run ${runId} is not an archive run`);
  if (run.status !== 'planning' && run.status !== 'running') return [];
  const { files } = await listDumpFiles(brokerQueryFor(run.params), broker);
  if (files.length === 0) {
    await failBackfillRun(runId, `the broker lists no ${run.params.type} files for ${run.params.from}..${run.params.to}`);
    return [];
  }
  const rows = await addRunFiles(runId, files);
  return rows.filter((f) => f.status === 'pending' || f.status === 'running').map((f) => f.id);
}

export interface GapScanOptions {
  nowMs: number;
  publishDelaySeconds: number;
  marginSeconds: number;
  /** RIS collectors to ask for ([] = all). */
  collectors: string[];
  limit?: number;
}

/** Schedules a backfill for every pending gap that is ready; returns the runs started. */
export async function scheduleGapBackfills(o: GapScanOptions): Promise<{ gapId: string; runId: string }[]> {
  const started: { gapId: string; runId: string }[] = [];
  for (const gap of await listPendingGaps(o.limit ?? 100)) {
    if (!gapIsReady(gap, o.nowMs, o.publishDelaySeconds)) continue;
    if (!(await claimGapForBackfill(gap.id))) continue;
    try {
      const { id } = await startBackfill(gapBackfillRequest(gap, { marginSeconds: o.marginSeconds, collectors: o.collectors }));
      started.push({ gapId: gap.id, runId: id });
    } catch (err) {
      // Nothing was enqueued: the next scan tries again.
      await setGapBackfillStatus(gap.id, 'pending');
      throw err;
    }
  }
  return started;
}
