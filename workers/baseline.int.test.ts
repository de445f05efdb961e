// The baseline worker end to end on real Redis and PostgreSQL: the BullMQ job scheduler fires a
// scan, the scan enqueues one job per closed event-time hour, the jobs write hour rows, day rows
// and window sums, and a run-time cache refreshed from the database sees them; a late event
// changes its hour's ingest count, the next scan recomputes only that hour, and the cache's
// incremental refresh picks up the change. Event hours are in March 2030, newer than any other
// test's, so they set the event-time clock; the file removes its events and queue keys.

import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineCache } from '@/lib/baseline/cache';
import type { BgpEvent } from '@/lib/bgp/types';
import { listAggregatedHours, pgBaselineSource, resetBaselines, setDayChunkForTests } from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { partitionForHour } from '@/lib/db/event-partition-bounds';
import { insertEventBatch } from '@/lib/db/events';
import { forgetKnownPartitions } from '@/lib/db/partitions';
import { createRedisConnection } from '@/lib/queue/connection';
import { baselineScanJob, BASELINE_SCAN_SCHEDULER_ID, closeQueues, dispatch, getQueue } from '@/lib/queue/jobs';
import { BASELINE_GRACE_SECONDS, ensureBaselineScheduler, runBaselineJob } from '@/workers/baseline';
import { makeTestEvent } from '@/test/helpers/db';
import { deleteKeys } from '@/test/helpers/redis';

const HOUR_US = 3_600_000_000;
const H0 = Math.floor(Date.UTC(2030, 2, 1, 0) / 3_600_000);
const D0 = H0 / 24;
const P = '203.0.113.0/24';
const LAST = H0 + 24 + 2; // the newest event: closes every hour of day D0

const ann = (hour: number, minute: number, peerIp: string, path: number[], prefix = P): BgpEvent =>
  makeTestEvent({ prefix, prefixLength: Number(prefix.split('/')[1]), peerIp, asPath: path, asPathLength: path.length, originAsn: path[path.length - 1]!, timestampUs: hour * HOUR_US + minute * 60_000_000 });

let redis: Redis;
let worker: Worker | null = null;
const processed: { name: string; hour?: number }[] = [];

function clearBaselineQueue(): Promise<void> {
  return deleteKeys(redis, 'bull:baseline:*');
}

async function cleanup(): Promise<void> {
  const db = getPgPool();
  for (let h = H0; h <= LAST; h++) await db.query(`DROP TABLE IF EXISTS "${partitionForHour(h).name}"`);
  forgetKnownPartitions();
  await db.query(`DELETE FROM ingest_windows WHERE window_start >= $1::timestamptz`, [new Date(H0 * 3_600_000).toISOString()]);
  await resetBaselines();
}

async function until<T>(what: string, get: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (processed ${JSON.stringify(processed)}, counts ${JSON.stringify(await getQueue('baseline').getJobCounts())})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  setDayChunkForTests(1);
  redis = createRedisConnection();
  await clearBaselineQueue();
  await cleanup();
});

afterAll(async () => {
  await worker?.close();
  await getQueue('baseline').removeJobScheduler(BASELINE_SCAN_SCHEDULER_ID).catch(() => undefined);
  await closeQueues();
  await clearBaselineQueue();
  await redis.quit();
  await cleanup();
  await closeDb();
});

describe('baseline worker', () => {
  it('scheduler → scan → hour jobs → hour, day and window rows → cache; a late event recomputes only its hour', async () => {
    expect(
      (await insertEventBatch([
        ann(H0 + 1, 5, '192.0.2.1', [64500, 3333]),
        ann(H0 + 1, 6, '192.0.2.2', [64501, 1299, 3333]),
        ann(H0 + 23, 7, '192.0.2.1', [64500, 3333]),
        // Sorts before P as a network, after it as text: the day fold streams rows one at a time here.
        ann(H0 + 2, 8, '192.0.2.1', [64500, 3356], '9.0.0.0/8'),
        ann(LAST, 30, '192.0.2.1', [64500, 3333], '198.51.100.0/24'),
      ], { recordWindows: true })).inserted,
    ).toBe(5);

    const log = pino({ level: 'silent' });
    worker = new Worker(
      'baseline',
      async (job: Job) => {
        const r = await runBaselineJob(job, log);
        processed.push({ name: job.name, hour: (job.data as { hour?: number }).hour });
        return r;
      },
      { connection: createRedisConnection({ maxRetriesPerRequest: null }), concurrency: 1 },
    );
    worker.on('error', () => undefined);
    worker.on('failed', (job, err) => console.error('FAILED', job?.name, err.message));
    // The scheduler's first scan runs at once; the next would come 5 minutes later.
    await ensureBaselineScheduler();
    const schedulers = await getQueue('baseline').getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain(BASELINE_SCAN_SCHEDULER_ID);

    // Closed: every hour with a partition (the batch made them from H0+1 to LAST) up to LAST - 1
    // (the grace period is 10 minutes, LAST's event at :30).
    const lastClosed = LAST - 1;
    const expected = Array.from({ length: lastClosed - H0 }, (_, i) => H0 + 1 + i);
    const done = await until('hours aggregated', async () => {
      const hours = await listAggregatedHours(H0);
      return hours.filter((h) => h.hour <= lastClosed).length === expected.length && hours;
    });
    expect(done.map((h) => h.hour).sort((a, b) => a - b)).toEqual(expected);
    expect(processed.find((p) => p.name === 'baseline-scan')).toBeDefined();
    expect(processed.some((p) => p.hour === LAST)).toBe(false); // not closed yet

    const db = getPgPool();
    const rows = await db.query<{ hour_rows: number; day_rows: number; as_of_day: number }>(
      `SELECT (SELECT count(*)::int FROM prefix_hour_stats WHERE prefix = $1) AS hour_rows,
              (SELECT count(*)::int FROM prefix_day_stats WHERE prefix = $1 AND day = $2) AS day_rows,
              (SELECT as_of_day FROM baseline_state WHERE id = 1) AS as_of_day`,
      [P, D0],
    );
    expect(rows.rows[0]).toEqual({ hour_rows: 2, day_rows: 1, as_of_day: D0 });

    const cache = new BaselineCache({ chunkBytes: 1 << 16 });
    const src = pgBaselineSource();
    expect((await cache.refresh(src)).full).toBe(true);
    // Day D0 ended: it is the whole 7 d / 30 d window.
    expect(cache.getBaseline(P, '7d')?.originCount(3333)).toBe(3);
    expect(cache.getSummary(P, '30d')).toMatchObject({ announcements: 3, hoursSeen: 2 });
    expect(cache.getBaseline('9.0.0.0/8', '30d')?.originCount(3356)).toBe(1);
    expect(cache.getBaseline('9.0.0.0/8', '7d')?.originCount(3356)).toBe(1);
    expect(cache.linkHint(1299, 3333, '30d')).toBe(1);
    // 24 h as of LAST - 1 = H0+25 covers (H0+1, H0+25]: only H0+23 of P is in it.
    expect(cache.getSummary(P, '24h')).toMatchObject({ announcements: 1, hoursSeen: 1 });

    // A late event for H0+1 (a backfill): its ingest count changes, the next scan redoes that hour.
    processed.length = 0;
    expect((await insertEventBatch([ann(H0 + 1, 40, '192.0.2.3', [64502, 174, 64666])], { recordWindows: true })).inserted).toBe(1);
    await dispatch(baselineScanJob, { graceSeconds: BASELINE_GRACE_SECONDS });
    await until('late hour re-aggregated', async () => processed.some((p) => p.hour === H0 + 1));
    await until('scan done', async () => processed.some((p) => p.name === 'baseline-scan'));
    expect(processed.filter((p) => p.name === 'baseline-hour').map((p) => p.hour)).toEqual([H0 + 1]);

    const refreshed = await cache.refresh(src);
    expect(refreshed.full).toBe(false);
    expect(refreshed.applied).toBeGreaterThan(0);
    expect(cache.getBaseline(P, '7d')?.originCount(64666)).toBe(1);
    expect(cache.getSummary(P, '30d')).toMatchObject({ announcements: 4 });
    expect(cache.linkHint(174, 64666, '7d')).toBe(1);
  });
});
