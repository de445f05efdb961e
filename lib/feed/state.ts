// Feed state and worker heartbeats in Redis. The collector writes, /api/health and the SSE
// stream read. Readers validate what they get: the key may be stale, missing or written by an
// older version, and a bad value must read as "unknown", never crash a health check.

import type { Redis } from 'ioredis';
import { z } from 'zod';
import { feedStateSchema } from '@/lib/feed/schema';
import {
  FEED_STATE_KEY,
  FEED_UPDATES_CHANNEL,
  WORKER_HEARTBEAT_PREFIX,
  type FeedState,
  type FeedUpdate,
  type WorkerHeartbeat,
} from '@/lib/feed/types';

/** The state key outlives a dead collector for a while so health can say "stale since …". */
const FEED_STATE_TTL_S = 24 * 3600;
export const HEARTBEAT_TTL_S = 15;
const heartbeatSchema = z.object({
  workerId: z.string(),
  pid: z.number(),
  queues: z.array(z.string()),
  startedAtMs: z.number(),
  beatAtMs: z.number(),
}) satisfies z.ZodType<WorkerHeartbeat>;

export async function writeFeedState(redis: Redis, state: FeedState): Promise<void> {
  await redis.set(FEED_STATE_KEY, JSON.stringify(state), 'EX', FEED_STATE_TTL_S);
}

/** The last written feed state, or null when none (or unreadable). */
export async function readFeedState(redis: Redis): Promise<FeedState | null> {
  const raw = await redis.get(FEED_STATE_KEY);
  return parseJson(raw, feedStateSchema);
}

/** Publish after a committed batch; returns the number of subscribers that got it. */
export async function publishFeedUpdate(redis: Redis, update: FeedUpdate): Promise<number> {
  return redis.publish(FEED_UPDATES_CHANNEL, JSON.stringify(update));
}

export function heartbeatKey(workerId: string): string {
  return `${WORKER_HEARTBEAT_PREFIX}${workerId}`;
}

/** The key expires ttlS seconds after the last beat, so a dead worker disappears by itself. */
export async function writeHeartbeat(redis: Redis, beat: WorkerHeartbeat, ttlS = HEARTBEAT_TTL_S): Promise<void> {
  await redis.set(heartbeatKey(beat.workerId), JSON.stringify(beat), 'EX', ttlS);
}

export async function removeHeartbeat(redis: Redis, workerId: string): Promise<void> {
  await redis.del(heartbeatKey(workerId));
}

/** Every live worker's latest heartbeat, newest first. */
export async function readHeartbeats(redis: Redis): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${WORKER_HEARTBEAT_PREFIX}*`, 'COUNT', 100);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const beats: WorkerHeartbeat[] = [];
  for (const v of values) {
    const b = parseJson(v, heartbeatSchema);
    if (b) beats.push(b);
  }
  return beats.sort((a, b) => b.beatAtMs - a.beatAtMs);
}

function parseJson<T>(raw: string | null, schema: z.ZodType<T>): T | null {
  if (raw === null) return null;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
