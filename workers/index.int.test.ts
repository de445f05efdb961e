// The worker entry point as a real child process: boots, runs the collector job against a
// RIS Live-speaking server, maintains partitions, beats, and exits 0 on SIGTERM within the deadline.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { getEnv } from '@/lib/env';
import { closeDb, getPgPool } from '@/lib/db/client';
import { partitionForHour, hourIndexOf } from '@/lib/db/event-partition-bounds';
import { listEventPartitions } from '@/lib/db/partitions';
import { readFeedState, readHeartbeats } from '@/lib/feed/state';
import { FEED_STATE_KEY } from '@/lib/feed/types';
import { createRedisConnection } from '@/lib/queue/connection';
import { startRisTestServer, type RisTestServer } from '@/lib/ingest/ris-test-server';
import { testFrames } from '@/lib/ingest/ris-test-frames';
import { resetDatabase } from '@/test/helpers/db';
import { waitFor } from '@/test/helpers/wait';
import { deleteKeys } from '@/test/helpers/redis';

const repoRoot = path.resolve(import.meta.dirname, '..');
const SHUTDOWN_DEADLINE_MS = 10_000;

let redis: Redis;
let server: RisTestServer;
let child: ChildProcess | null = null;
let output = '';

beforeAll(async () => {
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  // Every queue: jobs other test files left (a backfill of a real MRT fixture, say) would be
  // picked up by this worker and add rows of their own. Test files run one at a time.
  await deleteKeys(redis, 'bull:*', 'obs:worker:heartbeat:*');
  await redis.del(FEED_STATE_KEY);
  await resetDatabase();
  server = await startRisTestServer();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await server?.close();
  await redis?.quit();
  await closeDb();
});

describe('workers/index.ts', () => {
  it('boots, runs the collector job, beats, and exits 0 on SIGTERM within the deadline', async () => {
    const env = getEnv();
    // node itself, not the tsx wrapper: a SIGKILLed wrapper would leave the worker running.
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: env.REDIS_URL,
        RIS_LIVE_URL: server.url,
        RIS_LIVE_CLIENT: 'worker-int-test',
        RIS_SUBSCRIBE: '{"type":"UPDATE"}',
        FEED_LABEL: 'simulated',
        INGEST_FLUSH_MS: '50',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child!.on('exit', (code, signal) => resolve({ code, signal })),
    );

    try {
      await server.waitForSubscriptions(1, 60_000);
      const beats = await waitFor('a heartbeat', async () => {
        const b = await readHeartbeats(redis);
        return b.length > 0 ? b : null;
      });
      expect(beats[0]?.queues).toEqual(expect.arrayContaining(['collector', 'maintenance']));
      expect(Date.now() - (beats[0]?.beatAtMs ?? 0)).toBeLessThan(15_000);

      const frames = testFrames(0, 20);
      const expected = frames.flatMap((f) => f.expected).length;
      server.send(frames.map((f) => f.text));
      await waitFor('events stored', async () => {
        const r = await getPgPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM bgp_events WHERE source = 'ris_live_bgp'`);
        return r.rows[0]?.n === expected;
      });
      const state = await waitFor('feed state', async () => {
        const s = await readFeedState(redis);
        return s?.totalMessages === 20 ? s : null;
      });
      expect(state).toMatchObject({ label: 'simulated', connection: 'connected', totalEvents: expected });

      // The maintenance scheduler ran at boot: the current and next hours' partitions exist.
      const nextHour = partitionForHour(hourIndexOf(Date.now() * 1000) + 1).name;
      await waitFor('upcoming partitions', async () => (await listEventPartitions()).some((p) => p.name === nextHour));

      const t0 = Date.now();
      child.kill('SIGTERM');
      const result = await Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('worker did not exit within the deadline')), SHUTDOWN_DEADLINE_MS + 2_000)),
      ]);
      const tookMs = Date.now() - t0;
      expect(result).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(SHUTDOWN_DEADLINE_MS);
      expect(output).toMatch(/worker stopped/);

      expect(await readHeartbeats(redis)).toEqual([]);
      expect((await readFeedState(redis))?.connection).toBe('stopped');
    } catch (err) {
      // The child's log is the only way to see why it did not do its part.
      console.error(output.slice(-8000));
      throw err;
    }
  }, 120_000);
});
