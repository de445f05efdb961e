// Every BullMQ job of the project, declared once: name, queue, payload schema and defaults.
// Producers call dispatch(); workers look the job up by name and parse the payload with the
// same schema, so a payload that does not match is rejected on both sides.

import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { createQueueRegistry } from '@/lib/queue/registry';

export const QUEUE_NAMES = ['collector', 'maintenance', 'backfill', 'baseline'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobDefinition<N extends string, S extends z.ZodType> {
  name: N;
  queue: QueueName;
  schema: S;
  defaults: JobsOptions;
}

/** Keeps the literal name and schema types so dispatch() is typed per job. */
export function defineJob<N extends string, S extends z.ZodType>(def: JobDefinition<N, S>): JobDefinition<N, S> {
  if (def.defaults.jobId?.includes(':')) {
    // BullMQ uses ':' as its key separator; a custom id containing it corrupts keys.
    throw new Error(`job ${def.name}: jobId must not contain ':'`);
  }
  return def;
}

/** Finished jobs are trimmed so Redis (noeviction) never fills up with history. */
const KEEP_FINISHED = { removeOnComplete: { count: 100, age: 24 * 3600 }, removeOnFail: { count: 500, age: 7 * 24 * 3600 } };

/**
 * The live collector: one long-running job with a fixed id, so at most one exists. Its processor
 * runs until the worker shuts down; if the process dies the job stalls and BullMQ hands it to the
 * next worker.
 */
export const collectorJob = defineJob({
  name: 'ris-live',
  queue: 'collector',
  schema: z.object({}).strict(),
  defaults: { jobId: 'ris-live', attempts: 1_000_000, backoff: { type: 'fixed', delay: 5000 }, ...KEEP_FINISHED },
});

/** Periodic partition upkeep: create the next hours' event partitions, drop expired ones. */
export const partitionMaintenanceJob = defineJob({
  name: 'event-partitions',
  queue: 'maintenance',
  schema: z
    .object({
      aheadHours: z.number().int().min(1).max(168),
      retentionHours: z.number().int().min(1),
    })
    .strict(),
  defaults: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, ...KEEP_FINISHED },
});

/** The scheduler id of the partition job (also without ':'). */
export const PARTITION_SCHEDULER_ID = 'event-partitions-every-5-min';
export const PARTITION_INTERVAL_MS = 5 * 60 * 1000;

/** Backfill run ids and file ids are bigint row ids (decimal strings). */
const rowId = z.string().regex(/^\d{1,18}$/);

/** Archive run: ask the broker for the interval's files, add them to the run, enqueue the flow. */
export const backfillPlanJob = defineJob({
  name: 'backfill-plan',
  queue: 'backfill',
  schema: z.object({ runId: rowId }).strict(),
  defaults: { attempts: 5, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP_FINISHED },
});

/**
 * One MRT file of a run (a child of the run's flow). A killed worker's job stalls and is picked
 * up again; the file resumes from its committed record (lib/backfill/file-pipeline.ts). Children
 * that fail for good do not block the parent (ignoreDependencyOnFailure, set by the flow).
 */
export const backfillFileJob = defineJob({
  name: 'backfill-file',
  queue: 'backfill',
  schema: z.object({ runId: rowId, fileId: rowId }).strict(),
  defaults: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, ...KEEP_FINISHED },
});

/** The run's flow parent: runs after every file job, closes the run (status, gap). */
export const backfillRunJob = defineJob({
  name: 'backfill-run',
  queue: 'backfill',
  schema: z.object({ runId: rowId }).strict(),
  defaults: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, ...KEEP_FINISHED },
});

/** Periodic: every pending ingest gap whose archive files should be published gets a backfill run. */
export const gapScanJob = defineJob({
  name: 'gap-scan',
  queue: 'backfill',
  schema: z
    .object({
      /** Seconds after a gap ends before its archive files are asked for (RIS publishes 5-min files within minutes). */
      publishDelaySeconds: z.number().int().min(0).max(86_400),
      /** Seconds added on both sides of the gap's interval. */
      marginSeconds: z.number().int().min(0).max(3_600),
    })
    .strict(),
  defaults: { attempts: 1, ...KEEP_FINISHED },
});

export const GAP_SCAN_SCHEDULER_ID = 'backfill-gap-scan-every-minute';
export const GAP_SCAN_INTERVAL_MS = 60 * 1000;

/** Aggregate one closed event-time hour (prefix_hour_stats) and fold it into the baselines. */
export const baselineHourJob = defineJob({
  name: 'baseline-hour',
  queue: 'baseline',
  schema: z.object({ hour: z.number().int().min(0).max(2_000_000_000) }).strict(),
  defaults: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP_FINISHED },
});

/** Periodic: enqueue closed hours never aggregated or whose ingest count changed (backfill). */
export const baselineScanJob = defineJob({
  name: 'baseline-scan',
  queue: 'baseline',
  schema: z.object({ graceSeconds: z.number().int().min(0).max(86_400) }).strict(),
  defaults: { attempts: 1, ...KEEP_FINISHED },
});

export const BASELINE_SCAN_SCHEDULER_ID = 'baseline-scan-every-5-min';
export const BASELINE_SCAN_INTERVAL_MS = 5 * 60 * 1000;

export const ALL_JOBS = [collectorJob, partitionMaintenanceJob, backfillPlanJob, backfillFileJob, backfillRunJob, gapScanJob, baselineHourJob, baselineScanJob] as const;

export type AnyJob = (typeof ALL_JOBS)[number];

export function findJob(queue: QueueName, name: string): AnyJob | undefined {
  return ALL_JOBS.find((j) => j.queue === queue && j.name === name);
}

// Fail fast (no offline queue, one retry) so an HTTP handler that enqueues can answer 503.
const registry = createQueueRegistry<QueueName>({ maxRetriesPerRequest: 1, enableOfflineQueue: false });

/** The queue by name, created on first use over one shared producer connection. */
export function getQueue(name: QueueName): Queue {
  return registry.get(name);
}

/**
 * Enqueue a job after validating its payload against the job's schema. `opts` override the
 * job's defaults (e.g. a jobId for idempotent enqueues; it must not contain ':').
 */
export async function dispatch<N extends string, S extends z.ZodType>(
  job: JobDefinition<N, S>,
  payload: z.input<S>,
  opts: JobsOptions = {},
): Promise<{ id: string }> {
  const data = job.schema.parse(payload);
  const merged = { ...job.defaults, ...opts };
  if (merged.jobId?.includes(':')) throw new Error(`job ${job.name}: jobId must not contain ':'`);
  const added = await getQueue(job.queue).add(job.name, data, merged);
  return { id: added.id ?? '' };
}

/** Close every queue opened by getQueue and the producer connection. */
export function closeQueues(): Promise<void> {
  return registry.close();
}
