// Processor of the `ris-live` job: runs the live collector until the worker shuts down. The job
// never completes on its own; BullMQ renews its lock meanwhile, and if this process dies the
// job stalls and another worker (or this one, restarted) picks it up.

import type { Job } from 'bullmq';
import { collectorJob } from '@/lib/queue/jobs';
import { startCollector, type CollectorOptions } from '@/lib/ingest/collector';
import type { Logger } from '@/lib/log';

export interface CollectorProcessorDeps {
  /** Aborted when the worker shuts down. */
  shutdown: AbortSignal;
  logger: Logger;
  collectorOptions?: CollectorOptions;
  /** Time left for the final flush when shutting down. */
  stopDeadlineMs: number;
}

export async function runCollectorJob(job: Job, deps: CollectorProcessorDeps): Promise<{ messages: number; inserted: number }> {
  collectorJob.schema.parse(job.data);
  const log = deps.logger.child({ job: job.name, jobId: job.id });
  if (deps.shutdown.aborted) return { messages: 0, inserted: 0 };
  const collector = await startCollector({ logger: log, ...deps.collectorOptions });
  log.info('collector job running');
  // Shutdown may have begun while the collector was starting: an abort listener added now would never fire.
  if (!deps.shutdown.aborted) await new Promise<void>((resolve) => deps.shutdown.addEventListener('abort', () => resolve(), { once: true }));
  await collector.stop({ deadlineMs: deps.stopDeadlineMs });
  const s = collector.stats();
  return { messages: s.messages, inserted: s.inserted };
}
