// Enqueues backfill work: the planning job of an archive run, and the run's flow (one parent
// per run + one child job per file). Job ids carry the row ids (no ':'), so enqueuing the same
// run twice adds nothing.

import { FlowProducer } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '@/lib/queue/connection';
import { backfillFileJob, backfillPlanJob, backfillRunJob, dispatch } from '@/lib/queue/jobs';

export const runJobId = (runId: string) => `backfill-run-${runId}`;
export const fileJobId = (fileId: string) => `backfill-file-${fileId}`;
export const planJobId = (runId: string) => `backfill-plan-${runId}`;

let flows: FlowProducer | null = null;
let connection: Redis | null = null;

async function flowProducer(): Promise<FlowProducer> {
  if (!flows) {
    // Fail fast like the queue producers, so an HTTP handler that enqueues can answer 503.
    connection = createRedisConnection({ maxRetriesPerRequest: 1, enableOfflineQueue: false });
    flows = new FlowProducer({ connection });
    flows.on('error', () => {
      // Surfaces on the add() calls themselves.
    });
  }
  return flows;
}

export async function enqueueBackfillPlan(runId: string): Promise<{ id: string }> {
  return dispatch(backfillPlanJob, { runId }, { jobId: planJobId(runId) });
}

export async function enqueueBackfillFlow(runId: string, fileIds: readonly string[], opts: { priority?: number } = {}): Promise<void> {
  const producer = await flowProducer();
  await producer.add({
    name: backfillRunJob.name,
    queueName: backfillRunJob.queue,
    data: backfillRunJob.schema.parse({ runId }),
    opts: { ...backfillRunJob.defaults, jobId: runJobId(runId) },
    children: fileIds.map((fileId) => ({
      name: backfillFileJob.name,
      queueName: backfillFileJob.queue,
      data: backfillFileJob.schema.parse({ runId, fileId }),
      opts: { ...backfillFileJob.defaults, jobId: fileJobId(fileId), ignoreDependencyOnFailure: true, ...(opts.priority ? { priority: opts.priority } : {}) },
    })),
  });
}

export async function closeBackfillFlows(): Promise<void> {
  const [f, c] = [flows, connection];
  flows = null;
  connection = null;
  await f?.close().catch(() => undefined);
  await c?.quit().catch(() => c.disconnect());
}
