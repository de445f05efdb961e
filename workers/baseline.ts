// Processor of the baseline queue. `baseline-scan` (every 5 min) finds closed event-time hours
// that were never aggregated or whose ingest count changed since (a backfill added rows) and
// enqueues one `baseline-hour` job each, oldest first; `baseline-hour` aggregates the hour, folds
// it into the 24 h window and its day's row, and folds days that ended into the 7 d / 30 d
// windows (lib/db/baselines.ts). Job ids carry the hour
// and its ingest count, so a rescan never duplicates a job and a changed hour gets a new one.

import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import { hourOf, hoursToAggregate, lastClosedHour } from '@/lib/baseline/windows';
import { getEnv } from '@/lib/env';
import { BASELINE_SCAN_INTERVAL_MS, BASELINE_SCAN_SCHEDULER_ID, baselineHourJob, baselineScanJob, dispatch, getQueue } from '@/lib/queue/jobs';
import type { Logger } from '@/lib/log';

/** Late events of a live feed arrive within minutes; an hour is aggregated this long after it closes. */
export const BASELINE_GRACE_SECONDS = 10 * 60;

export function baselineHourJobId(hour: number, windowEvents: number | null): string {
  return `baseline-hour-${hour}-${windowEvents ?? 'n'}`;
}

function parse<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  // A bad payload will not get better by retrying.
  if (!r.success) throw new UnrecoverableError(`bad payload: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function runBaselineJob(job: Job, logger: Logger): Promise<unknown> {
  const db = await import('@/lib/db/baselines');
  if (job.name === baselineHourJob.name) {
    const { hour } = parse(baselineHourJob.schema, job.data);
    const result = await db.aggregateHour(hour);
    logger.info({ job: job.name, ...result }, 'baseline hour aggregated');
    if (result.dayUpdateSkipped) {
      logger.warn({ job: job.name, hour, reason: result.dayUpdateSkipped }, 'hour re-aggregated after its old row was pruned: its day and the 7d/30d windows were left as they were');
    }
    return result;
  }
  if (job.name !== baselineScanJob.name) throw new UnrecoverableError(`unknown baseline job ${job.name}`);
  const { graceSeconds } = parse(baselineScanJob.schema, job.data);
  const maxUs = await db.maxEventTimeUs();
  if (maxUs === null) return { enqueued: [] };
  const lastClosed = lastClosedHour(maxUs, graceSeconds * 1_000_000);
  const candidates = await db.listHourCandidates();
  const fromHour = Math.min(...candidates.map((c) => c.hour));
  const todo = hoursToAggregate(candidates, candidates.length > 0 ? await db.listAggregatedHours(fromHour) : [], lastClosed);
  for (const t of todo) await dispatch(baselineHourJob, { hour: t.hour }, { jobId: baselineHourJobId(t.hour, t.windowEvents) });
  // Tombstones go once per event-time day; refreshing caches have long seen them by then.
  const purged = await db.purgeBaselineHistory({ purgeTombstones: hourOf(maxUs) % 24 === 0, rawRetentionHours: getEnv().EVENT_RETENTION_HOURS });
  if (todo.length > 0 || purged.hours > 0 || purged.dayRows > 0) logger.info({ job: job.name, enqueued: todo.map((t) => t.hour), purged }, 'baseline scan');
  return { enqueued: todo.map((t) => t.hour), purged };
}

export async function ensureBaselineScheduler(): Promise<void> {
  await getQueue(baselineScanJob.queue).upsertJobScheduler(
    BASELINE_SCAN_SCHEDULER_ID,
    { every: BASELINE_SCAN_INTERVAL_MS },
    {
      name: baselineScanJob.name,
      data: baselineScanJob.schema.parse({ graceSeconds: BASELINE_GRACE_SECONDS }),
      opts: { attempts: 1, removeOnComplete: baselineScanJob.defaults.removeOnComplete, removeOnFail: baselineScanJob.defaults.removeOnFail },
    },
  );
}
