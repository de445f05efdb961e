// What the worker makes sure of at boot: the periodic maintenance scheduler exists, and the
// collector job exists (exactly one, fixed id) unless one is already waiting or running.

import { collectorJob, dispatch, getQueue, PARTITION_INTERVAL_MS, PARTITION_SCHEDULER_ID, partitionMaintenanceJob } from '@/lib/queue/jobs';
import type { Logger } from '@/lib/log';

export async function ensureMaintenanceScheduler(retentionHours: number): Promise<void> {
  await getQueue(partitionMaintenanceJob.queue).upsertJobScheduler(
    PARTITION_SCHEDULER_ID,
    { every: PARTITION_INTERVAL_MS },
    {
      name: partitionMaintenanceJob.name,
      data: partitionMaintenanceJob.schema.parse({ aheadHours: 3, retentionHours }),
      opts: { attempts: partitionMaintenanceJob.defaults.attempts, backoff: partitionMaintenanceJob.defaults.backoff, removeOnComplete: partitionMaintenanceJob.defaults.removeOnComplete, removeOnFail: partitionMaintenanceJob.defaults.removeOnFail },
    },
  );
}

/** Returns what it found: 'added' | 'present:<state>' | 'replaced:<state>'. */
export async function ensureCollectorJob(log: Logger): Promise<string> {
  const queue = getQueue(collectorJob.queue);
  const id = collectorJob.defaults.jobId ?? collectorJob.name;
  const existing = await queue.getJob(id);
  if (existing) {
    const state = await existing.getState();
    // A finished job keeps its id in Redis until trimmed; adding with the same id would be a
    // no-op, so remove it first. Waiting/active/delayed ones are left alone: an active one whose
    // worker died is moved back to wait by the stalled-job check.
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') {
      log.info({ state }, 'collector job already present');
      return `present:${state}`;
    }
    await existing.remove().catch(() => undefined);
    await dispatch(collectorJob, {});
    return `replaced:${state}`;
  }
  await dispatch(collectorJob, {});
  return 'added';
}
