// Adapter: a dedicated Redis connection subscribed to the feed update channel, for one SSE client.

import type { Redis } from 'ioredis';
import type { FeedSubscription } from '@/lib/api/sse';
import { withTimeout } from '@/lib/api/http';
import { FEED_UPDATES_CHANNEL } from '@/lib/feed/types';
import { createRedisConnection } from '@/lib/queue/connection';

/**
 * Connects and subscribes within `timeoutMs`, or throws (so the route answers 503 instead of
 * holding the request open while Redis is down).
 */
export async function openFeedSubscription(timeoutMs: number, channel = FEED_UPDATES_CHANNEL): Promise<FeedSubscription> {
  const conn: Redis = createRedisConnection({ lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 1 });
  const buffered: string[] = [];
  let listener: ((text: string) => void) | null = null;
  conn.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    if (listener) listener(text);
    else buffered.push(text);
  });

  try {
    await withTimeout(
      (async () => {
        await conn.connect();
        await conn.subscribe(channel);
      })(),
      timeoutMs,
      'Redis subscribe',
    );
  } catch (err) {
    conn.disconnect();
    throw err;
  }

  return {
    onMessage(l) {
      listener = l;
      for (const text of buffered.splice(0)) l(text);
    },
    async close() {
      listener = null;
      // quit() would wait for a reply from a Redis that may be gone; the subscription is ours alone.
      conn.disconnect();
    },
  };
}
