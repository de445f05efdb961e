// With PostgreSQL or Redis unreachable, the API answers quickly with 503 and the error envelope
// (never hangs, never a 500).

import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorSchema, healthResponseSchema } from '@/lib/api/contracts';
import { closeDb } from '@/lib/db/client';
import { resetEnvForTests } from '@/lib/env';
import { closeSharedRedis } from '@/lib/queue/connection';
import { closedPort } from '@/app/api/test-support';
import { GET as health } from '@/app/api/health/route';
import { GET as listEvents } from '@/app/api/v1/bgp/events/route';
import { GET as stream } from '@/app/api/v1/stream/route';

const saved = { db: process.env.DATABASE_URL, redis: process.env.REDIS_URL };

afterEach(async () => {
  await Promise.all([closeDb(), closeSharedRedis()]);
  process.env.DATABASE_URL = saved.db;
  process.env.REDIS_URL = saved.redis;
  resetEnvForTests();
});

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

describe('backing services down', () => {
  it('PostgreSQL down: events 503, health 503 naming the database', async () => {
    await closeDb();
    process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${await closedPort()}/nowhere`;
    resetEnvForTests();

    const { value: res, ms } = await timed(() => listEvents(new Request('http://localhost/api/v1/bgp/events?limit=5')));
    expect(res.status).toBe(503);
    expect(apiErrorSchema.parse(await res.json()).error.code).toBe('service_unavailable');
    expect(ms).toBeLessThan(5000);

    const h = await health();
    expect(h.status).toBe(503);
    const body = healthResponseSchema.parse(await h.json());
    expect(body.components.database.status).toBe('error');
    expect(body.components.redis.status).toBe('ok');
  });

  it('Redis down: health and stream answer 503 within a few seconds', async () => {
    await closeSharedRedis();
    process.env.REDIS_URL = `redis://127.0.0.1:${await closedPort()}`;
    resetEnvForTests();

    const { value: h, ms: healthMs } = await timed(() => health());
    expect(h.status).toBe(503);
    const body = healthResponseSchema.parse(await h.json());
    expect(body.components.redis.status).toBe('error');
    expect(body.components.worker.status).toBe('error');
    expect(body.components.feed.status).toBe('error');
    expect(body.components.database.status).toBe('ok');
    expect(healthMs).toBeLessThan(4000);

    const { value: s, ms: streamMs } = await timed(() => stream(new Request('http://localhost/api/v1/stream')));
    expect(s.status).toBe(503);
    expect(apiErrorSchema.parse(await s.json()).error.code).toBe('service_unavailable');
    expect(streamMs).toBeLessThan(4000);
  });

  it('no REDIS_URL at all: 503, not a crash', async () => {
    await closeSharedRedis();
    delete process.env.REDIS_URL;
    resetEnvForTests();
    const s = await stream(new Request('http://localhost/api/v1/stream'));
    expect(s.status).toBe(503);
  });
});
