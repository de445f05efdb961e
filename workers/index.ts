// The one worker process: BullMQ workers for every queue, a heartbeat, graceful shutdown.
// `npm run worker` (the launcher starts it as a child). SIGINT/SIGTERM: stop the collector (it
// flushes), close the workers, queues and connections, exit 0 — or exit 1 past a hard deadline.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { getEnv } from '@/lib/env';
import { getLogger } from '@/lib/log';
import { removeHeartbeat, writeHeartbeat } from '@/lib/feed/state';
import { createRedisConnection } from '@/lib/queue/connection';
import { closeQueues, QUEUE_NAMES, type QueueName } from '@/lib/queue/jobs';
import { runCollectorJob } from '@/workers/collector';
import { runMaintenanceJob } from '@/workers/maintenance';
import { ensureCollectorJob, ensureMaintenanceScheduler } from '@/workers/boot';
import { ensureBaselineScheduler, runBaselineJob } from '@/workers/baseline';
import { ensureGapScanScheduler, runBackfillJob } from '@/workers/backfill';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { collectorsFromSubscribe } from '@/lib/backfill/plan';
import { closeBackfillFlows } from '@/lib/queue/backfill-flow';
import { startRpkiService, type RpkiService } from '@/workers/rpki';
import { startWebhookService, type WebhookService } from '@/workers/webhooks';
import { startDetectionService, type DetectionService } from '@/workers/detect';
import { registerDetectFeed } from '@/workers/detect-feed';
import { closeAnomalyPushRedis } from '@/workers/detect-push';
import { closeDetectQueues } from '@/lib/queue/detect';

const SHUTDOWN_DEADLINE_MS = 10_000;
const HEARTBEAT_MS = 5_000;

const log = getLogger().child({ module: 'worker' });
const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
const startedAtMs = Date.now();
const shutdown = new AbortController();
const connections: Redis[] = [];
const workers: Worker[] = [];
let stateRedis: Redis | null = null;
let rpki: RpkiService | null = null;
let webhooks: WebhookService | null = null;
let detection: DetectionService | null = null;
let detectFeed: ReturnType<typeof registerDetectFeed> | null = null;

function connection(): Redis {
  const c = createRedisConnection({ maxRetriesPerRequest: null });
  connections.push(c);
  return c;
}

function startWorker(queue: QueueName, processor: (job: Job, token?: string) => Promise<unknown>, opts: { lockDuration?: number; maxStalledCount?: number } = {}): Worker {
  const w = new Worker(queue, processor, { connection: connection(), concurrency: 1, ...opts });
  w.on('error', (err) => log.error({ err, queue }, 'worker error'));
  w.on('failed', (job, err) => log.error({ err, queue, job: job?.name, jobId: job?.id }, 'job failed'));
  workers.push(w);
  return w;
}

async function main(): Promise<void> {
  const env = getEnv();
  // Feed state and heartbeats: a normal (non-blocking) connection that retries once per command.
  const redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  connections.push(redis);
  stateRedis = redis;

  startWorker(
    'collector',
    (job) => runCollectorJob(job, { shutdown: shutdown.signal, logger: log, stopDeadlineMs: SHUTDOWN_DEADLINE_MS - 3_000, collectorOptions: { redis } }),
    // Short lock: if this process dies, another picks the collector up within ~15-30 s.
    { lockDuration: 15_000, maxStalledCount: 1_000 },
  );
  startWorker('maintenance', (job) => runMaintenanceJob(job, log));
  // An hour of the firehose takes a while to aggregate: a long lock, no stalled re-run meanwhile.
  startWorker('baseline', (job) => runBaselineJob(job, log), { lockDuration: 300_000 });
  // One MRT file per job: CPU-bound between awaits, so a lock that survives a slow batch; a dead
  // worker's file is picked up again after it expires and resumes from its committed record.
  startWorker(
    'backfill',
    (job, token) =>
      runBackfillJob(
        job,
        {
          read: mrtFileReader({ storeRaw: env.BACKFILL_STORE_RAW }),
          logger: log,
          cacheDir: env.BACKFILL_CACHE_DIR,
          batchSize: env.INGEST_BATCH_SIZE,
          gapCollectors: collectorsFromSubscribe(env.RIS_SUBSCRIBE),
          shutdown: shutdown.signal,
        },
        token,
      ),
    { lockDuration: 60_000, maxStalledCount: 5 },
  );

  const beat = () =>
    writeHeartbeat(redis, { workerId, pid: process.pid, queues: [...QUEUE_NAMES], startedAtMs, beatAtMs: Date.now() }).catch((err) =>
      log.warn({ err }, 'heartbeat failed'),
    );
  await beat();
  const beatTimer = setInterval(() => void beat(), HEARTBEAT_MS);
  shutdown.signal.addEventListener('abort', () => clearInterval(beatTimer), { once: true });

  // Webhooks: a consumer group on the anomaly push stream; null when no target is configured.
  webhooks = await startWebhookService(env, log).catch((err) => {
    log.error({ err }, 'webhook service failed to start; no webhooks are sent');
    return null;
  });
  // RPKI validation runs in this process: the collector hands it each batch (lib/rpki/observer.ts).
  rpki = await startRpkiService(env, log).catch((err) => {
    log.error({ err }, 'RPKI service failed to start; routes are not validated');
    return null;
  });
  // Detection: every committed batch goes to the partition queues; this process consumes the
  // partitions whose leases it holds (workers/detect.ts), balanced with the other worker processes.
  detectFeed = registerDetectFeed(env.DETECT_PARTITIONS, log);
  if (env.DETECT_ENABLED) {
    detection = await startDetectionService({
      partitions: env.DETECT_PARTITIONS,
      logger: log,
      owner: workerId,
      checkpointEveryMs: env.DETECT_CHECKPOINT_MS,
      ...(env.DETECT_CONFIG_OVERRIDE ? { configOverridePath: env.DETECT_CONFIG_OVERRIDE } : {}),
    }).catch((err) => {
      log.error({ err }, 'detection service failed to start; events are queued but not analysed here');
      return null;
    });
  }
  await ensureMaintenanceScheduler(env.EVENT_RETENTION_HOURS);
  await ensureBaselineScheduler();
  await ensureGapScanScheduler();
  const collectorJobState = await ensureCollectorJob(log);
  log.info({ workerId, queues: QUEUE_NAMES, collectorJob: collectorJobState }, 'worker ready');
}

async function stop(signal: string): Promise<void> {
  if (shutdown.signal.aborted) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  log.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed: exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  shutdown.abort();
  // close() waits for the active jobs: the collector job returns once it has flushed.
  await Promise.allSettled(workers.map((w) => w.close()));
  await closeBackfillFlows();
  // After the collector's final flush (its last batches are queued): checkpoint and release the partitions.
  await detection?.stop().catch((err) => log.warn({ err }, 'stopping detection'));
  detectFeed?.unregister();
  await closeDetectQueues();
  await closeAnomalyPushRedis();
  await rpki?.stop().catch((err) => log.warn({ err }, 'stopping RPKI service'));
  await webhooks?.stop().catch((err) => log.warn({ err }, 'stopping webhook service'));
  await closeQueues();
  if (stateRedis) await removeHeartbeat(stateRedis, workerId).catch(() => undefined);
  const { closeDb } = await import('@/lib/db/client');
  await closeDb().catch((err) => log.warn({ err }, 'closing database'));
  await Promise.allSettled(connections.map((c) => c.quit().catch(() => c.disconnect())));
  clearTimeout(deadline);
  log.info('worker stopped');
  process.exit(0);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

main().catch((err) => {
  log.fatal({ err }, 'worker failed to start');
  process.exit(1);
});
