// Processor of the `backfill` queue: plans archive runs (broker → files → flow), processes one
// MRT file per job, closes runs (flow parent), and schedules gap fills (every minute).

import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { PipelineInterrupted, type FileEventReader } from '@/lib/backfill/file-pipeline';
import { processBackfillFile } from '@/lib/backfill/process-file';
import { planArchiveRun, scheduleGapBackfills } from '@/lib/backfill/runs';
import { completeRunIfFinished, failBackfillRun, failUnfinishedFiles } from '@/lib/db/backfills';
import type { Logger } from '@/lib/log';
import { enqueueBackfillFlow } from '@/lib/queue/backfill-flow';
import { backfillFileJob, backfillPlanJob, backfillRunJob, GAP_SCAN_INTERVAL_MS, GAP_SCAN_SCHEDULER_ID, gapScanJob, getQueue } from '@/lib/queue/jobs';
import type { BrokerClientOptions } from '@/lib/sources/bgpstream/broker';
import type { RetryOptions } from '@/lib/sources/bgpstream/retry';

export interface BackfillProcessorDeps {
  read: FileEventReader;
  logger: Logger;
  cacheDir: string;
  batchSize: number;
  writers?: number;
  /** RIS collectors gap fills ask for ([] = all). */
  gapCollectors: string[];
  broker?: BrokerClientOptions;
  downloadRetry?: RetryOptions;
  now?: () => number;
  /** Worker shutdown: a file job commits its progress and goes back to the queue. */
  shutdown?: AbortSignal;
}

function payload<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, job: Job): T {
  const r = schema.safeParse(job.data);
  // A bad payload will not get better by retrying.
  if (!r.success) throw new UnrecoverableError(`bad payload: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

export async function runBackfillJob(job: Job, deps: BackfillProcessorDeps, token?: string): Promise<unknown> {
  const log = deps.logger.child({ job: job.name, jobId: job.id });
  switch (job.name) {
    case backfillFileJob.name: {
      const { fileId } = payload(backfillFileJob.schema, job);
      try {
        const r = await processBackfillFile(fileId, { ...deps, logger: log, signal: deps.shutdown, onProgress: (p) => job.updateProgress({ ...p }) }, { lastAttempt: isLastAttempt(job) });
        return { status: r.status, runStatus: r.runStatus, ...r.progress };
      } catch (err) {
        // Shutting down: back to the queue without using up an attempt; it resumes where it stopped.
        if (err instanceof PipelineInterrupted && token) {
          await job.moveToDelayed(Date.now() + 1_000, token);
          throw new DelayedError(err.message);
        }
        throw err;
      }
    }
    case backfillPlanJob.name: {
      const { runId } = payload(backfillPlanJob.schema, job);
      try {
        const fileIds = await planArchiveRun(runId, deps.broker);
        if (fileIds.length > 0) await enqueueBackfillFlow(runId, fileIds);
        log.info({ runId, files: fileIds.length }, 'backfill run planned');
        return { files: fileIds.length };
      } catch (err) {
        if (isLastAttempt(job)) await failBackfillRun(runId, `planning failed: ${(err as Error).message}`);
        throw err;
      }
    }
    case backfillRunJob.name: {
      const { runId } = payload(backfillRunJob.schema, job);
      // Every file job has finished; a file row still open lost its worker on the last attempt.
      const orphaned = await failUnfinishedFiles(runId, 'the file job failed without finishing (worker lost)');
      const status = await completeRunIfFinished(runId);
      log.info({ runId, status, orphaned }, 'backfill run closed');
      return { status };
    }
    case gapScanJob.name: {
      const o = payload(gapScanJob.schema, job);
      const started = await scheduleGapBackfills({ nowMs: (deps.now ?? Date.now)(), collectors: deps.gapCollectors, ...o });
      if (started.length > 0) log.info({ started }, 'gap backfills scheduled');
      return { started: started.length };
    }
    default:
      throw new UnrecoverableError(`unknown backfill job ${job.name}`);
  }
}

/** The periodic gap scan (upsert: one scheduler however many workers boot). */
export async function ensureGapScanScheduler(o: { publishDelaySeconds: number; marginSeconds: number } = { publishDelaySeconds: 900, marginSeconds: 60 }): Promise<void> {
  await getQueue(gapScanJob.queue).upsertJobScheduler(
    GAP_SCAN_SCHEDULER_ID,
    { every: GAP_SCAN_INTERVAL_MS },
    { name: gapScanJob.name, data: gapScanJob.schema.parse(o), opts: { attempts: 1, removeOnComplete: gapScanJob.defaults.removeOnComplete, removeOnFail: gapScanJob.defaults.removeOnFail } },
  );
}
