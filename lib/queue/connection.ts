// Lazy Redis connections. BullMQ workers need maxRetriesPerRequest: null; producers in HTTP
// handlers should fail fast instead (a short command timeout) so the API can answer 503.

import { Redis, type RedisOptions } from 'ioredis';
import { requireRedisUrl } from '@/lib/env';

let shared: Redis | null = null;

/** A shared connection for plain commands (GET/SET/PUBLISH, queue producers). */
export function getRedis(): Redis {
  if (!shared) {
    shared = new Redis(requireRedisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    shared.on('error', () => {
      // Reported through health checks; ioredis reconnects by itself.
    });
  }
  return shared;
}

/** A new connection (subscriber, BullMQ worker). The caller closes it. */
export function createRedisConnection(opts: RedisOptions = {}): Redis {
  const conn = new Redis(requireRedisUrl(), { maxRetriesPerRequest: null, ...opts });
  conn.on('error', () => {
    // ioredis reconnects by itself; callers that care attach their own listener.
  });
  return conn;
}

export async function closeSharedRedis(): Promise<void> {
  if (shared) {
    const s = shared;
    shared = null;
    await s.quit().catch(() => s.disconnect());
  }
}
