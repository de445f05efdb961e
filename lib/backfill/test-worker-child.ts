// A backfill worker process for the integration tests: the real processor on the `backfill`
// queue, with the NDJSON stand-in reader (slowed down so a test can kill it mid-file) and short
// lock/stall timings so a killed job is picked up again within seconds.
// Usage: tsx lib/backfill/test-worker-child.ts <cacheDir> <batchSize> <pauseMs> <pauseEvery>

import { Worker } from 'bullmq';
import { ndjsonTestReader } from '@/lib/backfill/ndjson-test-reader';
import { getLogger } from '@/lib/log';
import { createRedisConnection } from '@/lib/queue/connection';
import { runBackfillJob } from '@/workers/backfill';

const [cacheDir = '.data/cache/test', batchSize = '500', pauseMs = '0', pauseEvery = '0'] = process.argv.slice(2);
const logger = getLogger().child({ module: 'test-backfill-worker', pid: process.pid });
const worker = new Worker(
  'backfill',
  (job) =>
    runBackfillJob(job, {
      read: ndjsonTestReader({ pauseMs: Number(pauseMs), pauseEvery: Number(pauseEvery) }),
      logger,
      cacheDir,
      batchSize: Number(batchSize),
      gapCollectors: [],
    }),
  { connection: createRedisConnection({ maxRetriesPerRequest: null }), concurrency: 1, lockDuration: 3_000, stalledInterval: 1_000, maxStalledCount: 5 },
);
worker.on('error', (err) => logger.error({ err }, 'worker error'));
worker.on('ready', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
