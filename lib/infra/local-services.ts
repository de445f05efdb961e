// PostgreSQL + Redis together, as `npm start`, `npm test` and the vitest global setup need them.

import path from 'node:path';
import { startEmbeddedPostgres, type Durability, type EmbeddedPostgres } from '@/lib/infra/embedded-postgres';
import { startEmbeddedRedis, type EmbeddedRedis } from '@/lib/infra/embedded-redis';

export interface LocalServicesOptions {
  /** Holds pg/ and redis/ (".data" for npm start, ".data/test/<run>" for tests). */
  baseDir: string;
  database: string;
  durability: Durability;
  fresh?: boolean;
  repoRoot?: string;
  onLog?: (service: 'postgres' | 'redis', line: string) => void;
}

export interface LocalServices {
  databaseUrl: string;
  redisUrl: string;
  postgres: EmbeddedPostgres;
  redis: EmbeddedRedis;
  /** Stops both (Redis first: nothing should be writing to PostgreSQL by then). */
  stop(): Promise<void>;
}

export async function startLocalServices(opts: LocalServicesOptions): Promise<LocalServices> {
  const onLog = opts.onLog ?? (() => {});
  const [pgResult, redisResult] = await Promise.allSettled([
    startEmbeddedPostgres({
      dataDir: path.join(opts.baseDir, 'pg'),
      database: opts.database,
      durability: opts.durability,
      fresh: opts.fresh,
      repoRoot: opts.repoRoot,
      onLog: (line) => onLog('postgres', line),
    }),
    startEmbeddedRedis({ dir: path.join(opts.baseDir, 'redis'), onLog: (line) => onLog('redis', line) }),
  ]);
  if (pgResult.status === 'rejected' || redisResult.status === 'rejected') {
    // Never leave one running when the other failed.
    if (pgResult.status === 'fulfilled') await pgResult.value.stop();
    if (redisResult.status === 'fulfilled') await redisResult.value.stop();
    const reason = pgResult.status === 'rejected' ? pgResult.reason : (redisResult as PromiseRejectedResult).reason;
    throw reason instanceof Error ? reason : new Error(String(reason));
  }
  const postgres = pgResult.value;
  const redis = redisResult.value;
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    postgres,
    redis,
    stop: async () => {
      await redis.stop();
      await postgres.stop();
    },
  };
}
