// Test runs share one Redis: tests that start workers remove their own queues' keys.

import type { Redis } from 'ioredis';

/** Deletes every key matching any of the glob patterns (SCAN, not KEYS: safe on a busy server). */
export async function deleteKeys(redis: Redis, ...patterns: string[]): Promise<void> {
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}
