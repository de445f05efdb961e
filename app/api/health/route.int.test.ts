// /api/health against the real PostgreSQL and Redis of the test run.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { healthResponseSchema } from '@/lib/api/contracts';
import { closeDb } from '@/lib/db/client';
import { removeHeartbeat, writeFeedState, writeHeartbeat } from '@/lib/feed/state';
import { FEED_STATE_KEY, WORKER_HEARTBEAT_PREFIX } from '@/lib/feed/types';
import { closeSharedRedis, getRedis } from '@/lib/queue/connection';
import { sampleFeedState } from '@/app/api/test-support';
import { GET } from '@/app/api/health/route';

const WORKER = `health-test-${process.pid}`;

async function clearFeedKeys(): Promise<void> {
  const redis = getRedis();
  await new Promise((r) => (redis.status === 'ready' ? r(null) : redis.once('ready', r)));
  const beats = await redis.keys(`${WORKER_HEARTBEAT_PREFIX}*`);
  await redis.del(FEED_STATE_KEY, ...beats);
}

async function health() {
  const res = await GET();
  return { status: res.status, body: healthResponseSchema.parse(await res.json()) };
}

beforeEach(clearFeedKeys);

afterAll(async () => {
  await clearFeedKeys();
  await Promise.all([closeDb(), closeSharedRedis()]);
});

describe('GET /api/health', () => {
  it('answers 200 with every component ok when the worker beats and the feed is connected', async () => {
    const now = Date.now();
    await writeHeartbeat(getRedis(), { workerId: WORKER, pid: process.pid, queues: ['ingest'], startedAtMs: now - 5000, beatAtMs: now });
    await writeFeedState(getRedis(), sampleFeedState(now));
    const { status, body } = await health();
    expect(body.components.database.status).toBe('ok');
    expect(body.components.redis.status).toBe('ok');
    expect(body.components.worker.heartbeats.map((h) => h.worker_id)).toEqual([WORKER]);
    expect(body.components.feed).toMatchObject({
      status: 'ok',
      label: 'simulated',
      connection: 'connected',
      messages_per_second: 42.5,
      events_per_second: 97,
      last_message_at: new Date(now - 1000).toISOString(),
      last_gap: { reason: 'server closed the connection' },
    });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
  });

  it('answers 503 when no worker heartbeat exists, still reporting the rest', async () => {
    await writeFeedState(getRedis(), sampleFeedState(Date.now()));
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.components.worker).toMatchObject({ status: 'error', error: 'no worker heartbeat' });
    expect(body.components.database.status).toBe('ok');
    expect(body.components.feed.status).toBe('ok');
  });

  it('answers 503 when the feed is disconnected or the collector never reported', async () => {
    const now = Date.now();
    await writeHeartbeat(getRedis(), { workerId: WORKER, pid: process.pid, queues: [], startedAtMs: now, beatAtMs: now });
    let r = await health();
    expect(r.status).toBe(503);
    expect(r.body.components.feed.error).toMatch(/not reported/);
    await writeFeedState(getRedis(), sampleFeedState(now, { connection: 'disconnected' }));
    r = await health();
    expect(r.status).toBe(503);
    expect(r.body.components.feed).toMatchObject({ status: 'error', connection: 'disconnected', error: 'feed is disconnected' });
    await removeHeartbeat(getRedis(), WORKER);
  });
});
