// Producer-side queues created on first use over one shared connection, closed together. The
// connection policy differs per user (HTTP handlers fail fast; the ingest feed keeps the offline
// queue so its first batch survives a connection still being made), the registry does not.

import { Queue } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { createRedisConnection } from '@/lib/queue/connection';

export interface QueueRegistry<N extends string> {
  get(name: N): Queue;
  close(): Promise<void>;
}

export function createQueueRegistry<N extends string>(connectionOptions: RedisOptions): QueueRegistry<N> {
  let producer: Redis | null = null;
  const queues = new Map<N, Queue>();
  return {
    get(name) {
      let q = queues.get(name);
      if (!q) {
        producer ??= createRedisConnection(connectionOptions);
        q = new Queue(name, { connection: producer });
        q.on('error', () => {
          // Connection errors surface on the calls themselves; without a listener they would crash.
        });
        queues.set(name, q);
      }
      return q;
    },
    async close() {
      const open = [...queues.values()];
      queues.clear();
      await Promise.allSettled(open.map((q) => q.close()));
      if (producer) {
        const p = producer;
        producer = null;
        await p.quit().catch(() => p.disconnect());
      }
    },
  };
}
