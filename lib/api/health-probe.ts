// Adapter: gathers the inputs of /api/health from PostgreSQL and Redis, each under a deadline,
// never throwing: a failure becomes that component's error.

import type { Redis } from 'ioredis';
import type { HealthInputs, ProbeResult } from '@/lib/api/health';
import { TimeoutError, withTimeout } from '@/lib/api/http';
import { pingDatabase } from '@/lib/db/health';
import { getRpkiState, listRpkiSources } from '@/lib/db/rpki';
import { ROUTE_SUMMARY_KEY } from '@/lib/rpki/summary';
import { readFeedState, readHeartbeats } from '@/lib/feed/state';
import { getRedis } from '@/lib/queue/connection';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The shared connection refuses commands until it is ready (no offline queue); wait a little for it. */
export async function readyRedis(timeoutMs: number): Promise<Redis> {
  const redis = getRedis();
  if (redis.status === 'ready') return redis;
  let onReady = () => {};
  try {
    await withTimeout(new Promise<void>((resolve) => {
      onReady = resolve;
      redis.once('ready', onReady);
    }), timeoutMs, 'Redis');
  } finally {
    redis.off('ready', onReady);
  }
  return redis;
}

async function probeDatabase(timeoutMs: number): Promise<ProbeResult> {
  try {
    const r = await withTimeout(pingDatabase(timeoutMs), timeoutMs + 500, 'PostgreSQL');
    return { ok: r.ok, latencyMs: r.latencyMs, ...(r.error ? { error: r.error } : {}) };
  } catch (err) {
    return { ok: false, latencyMs: null, error: message(err) };
  }
}

async function probeRedis(redis: Promise<Redis>, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const pong = await withTimeout(redis.then((r) => r.ping()), timeoutMs, 'Redis');
    if (pong !== 'PONG') return { ok: false, latencyMs: null, error: `unexpected PING reply ${pong}` };
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, latencyMs: null, error: message(err) };
  }
}

async function settle<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T | Error> {
  try {
    return await withTimeout(p, timeoutMs, what);
  } catch (err) {
    return err instanceof Error ? err : new TimeoutError(message(err));
  }
}

export async function gatherHealthInputs(timeoutMs = 1500): Promise<HealthInputs> {
  const redis = readyRedis(timeoutMs);
  redis.catch(() => undefined); // each consumer below reports the failure itself
  const rpki = Promise.all([getRpkiState(ROUTE_SUMMARY_KEY), listRpkiSources()]).then(([state, sources]) => ({ state, sources }));
  const [database, redisProbe, heartbeats, feed, rpkiInputs] = await Promise.all([
    probeDatabase(timeoutMs),
    probeRedis(redis, timeoutMs),
    settle(redis.then((r) => readHeartbeats(r)), timeoutMs, 'worker heartbeats'),
    settle(redis.then((r) => readFeedState(r)), timeoutMs, 'feed state'),
    settle(rpki, timeoutMs, 'RPKI state'),
  ]);
  return { database, redis: redisProbe, heartbeats, feed, rpki: rpkiInputs };
}
