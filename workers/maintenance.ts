// Processor of the maintenance queue: partition upkeep for bgp_events (create the coming hours'
// partitions before rows arrive, drop the ones past retention).

import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { partitionMaintenanceJob } from '@/lib/queue/jobs';
import type { Logger } from '@/lib/log';

export async function runMaintenanceJob(job: Job, logger: Logger, now: () => number = Date.now): Promise<{ created: string[]; dropped: string[] }> {
  if (job.name !== partitionMaintenanceJob.name) throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
  const parsed = partitionMaintenanceJob.schema.safeParse(job.data);
  // A bad payload will not get better by retrying.
  if (!parsed.success) throw new UnrecoverableError(`bad payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { ensureUpcomingEventPartitions, dropExpiredEventPartitions } = await import('@/lib/db/partitions');
  const nowUs = now() * 1000;
  const created = await ensureUpcomingEventPartitions(nowUs, parsed.data.aheadHours);
  const dropped = await dropExpiredEventPartitions(nowUs, parsed.data.retentionHours);
  logger.info({ job: job.name, created, dropped }, 'event partitions maintained');
  return { created, dropped };
}
