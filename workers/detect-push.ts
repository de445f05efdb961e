// Persistence + push of anomalies: store them (idempotent upsert by dedup key), then append each
// stored row to the Redis stream bgp:anomalies as new / updated / resolved. The kind comes from
// the row as it was before the write, so a replay, a restarted partition or a second partition
// writing the same key publishes "updated", never a second "new".

import type { Redis } from 'ioredis';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { getAnomaliesByDedupKeys, upsertAnomalies } from '@/lib/db/anomalies';
import type { AnomalyPushKind, AnomalyPushMessage } from '@/lib/detect/push-types';
import type { Anomaly, AnomalyStatus, StoredAnomaly } from '@/lib/detect/types';
import { publishAnomalyPushes } from '@/lib/queue/detect-stream';
import { createRedisConnection } from '@/lib/queue/connection';

let pushRedis: Redis | null = null;

/** A connection for publishers without one of their own (the RPKI service); offline queue on, one retry. */
export function anomalyPushRedis(): Redis {
  pushRedis ??= createRedisConnection({ maxRetriesPerRequest: 1 });
  return pushRedis;
}

export async function closeAnomalyPushRedis(): Promise<void> {
  const r = pushRedis;
  pushRedis = null;
  await r?.quit().catch(() => r.disconnect());
}

export function pushKind(before: AnomalyStatus | undefined, after: StoredAnomaly): AnomalyPushKind {
  if (before === undefined) return 'new';
  return after.status === 'resolved' && before !== 'resolved' ? 'resolved' : 'updated';
}

/** Runs `write` (which stores the rows of these keys) and publishes what it stored. */
export async function withAnomalyPush<T>(dedupKeys: readonly string[], redis: Redis, write: () => Promise<T>): Promise<{ result: T; published: number }> {
  const keys = [...new Set(dedupKeys)];
  if (keys.length === 0) return { result: await write(), published: 0 };
  const before = new Map((await getAnomaliesByDedupKeys(keys)).map((a) => [a.dedupKey, a.status]));
  const result = await write();
  const stored = await getAnomaliesByDedupKeys(keys);
  const now = Date.now();
  const messages: AnomalyPushMessage[] = stored
    .sort((a, b) => a.startedAtUs - b.startedAtUs || a.dedupKey.localeCompare(b.dedupKey))
    .map((a) => ({ kind: pushKind(before.get(a.dedupKey), a), anomaly: toAnomalyDto(a), publishedAtMs: now }));
  await publishAnomalyPushes(redis, messages);
  return { result, published: messages.length };
}

/** The detector's path: upsert the changed anomalies, then push them. */
export async function persistAndPush(changed: readonly Anomaly[], redis: Redis): Promise<number> {
  if (changed.length === 0) return 0;
  const { published } = await withAnomalyPush(
    changed.map((a) => a.dedupKey),
    redis,
    () => upsertAnomalies(changed),
  );
  return published;
}
