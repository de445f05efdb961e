// The anomaly push channel on Redis (contract in lib/detect/push-types.ts): append with XADD
// MAXLEN ~, read with XREAD from a stream entry id. Consumers resume from the last id they saw.

import type { Redis } from 'ioredis';
import { ANOMALY_STREAM_FIELD, ANOMALY_STREAM_KEY, ANOMALY_STREAM_MAXLEN, parseAnomalyPush, type AnomalyPushMessage } from '@/lib/detect/push-types';

/** Appends the messages in order (one round trip); returns their stream entry ids. */
export async function publishAnomalyPushes(redis: Redis, messages: readonly AnomalyPushMessage[], key: string = ANOMALY_STREAM_KEY): Promise<string[]> {
  if (messages.length === 0) return [];
  const p = redis.pipeline();
  for (const m of messages) p.xadd(key, 'MAXLEN', '~', ANOMALY_STREAM_MAXLEN, '*', ANOMALY_STREAM_FIELD, JSON.stringify(m));
  const res = (await p.exec()) ?? [];
  return res.map(([err, id]) => {
    if (err) throw err;
    return String(id);
  });
}

export interface AnomalyStreamEntry {
  id: string;
  /** The raw `data` field (the SSE endpoint forwards it as is after checking it). */
  data: string;
  message: AnomalyPushMessage | null;
  invalidReason?: string;
}

function toEntries(raw: [string, string[]][]): AnomalyStreamEntry[] {
  return raw.map(([id, fields]) => {
    let data = '';
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === ANOMALY_STREAM_FIELD) data = fields[i + 1]!;
    const parsed = parseAnomalyPush(data);
    return parsed.ok ? { id, data, message: parsed.value } : { id, data, message: null, invalidReason: parsed.reason };
  });
}

/** Entries after `afterId`, waiting up to blockMs for the first (a dedicated connection: it blocks). */
export async function readAnomalyStream(redis: Redis, afterId: string, opts: { blockMs: number; count?: number; key?: string }): Promise<AnomalyStreamEntry[]> {
  const res = (await redis.xread('COUNT', opts.count ?? 500, 'BLOCK', opts.blockMs, 'STREAMS', opts.key ?? ANOMALY_STREAM_KEY, afterId)) as [string, [string, string[]][]][] | null;
  return res?.[0] ? toEntries(res[0][1]) : [];
}

/** The id of the newest entry ("0-0" when the stream is empty): where a new reader starts. */
export async function lastAnomalyStreamId(redis: Redis, key: string = ANOMALY_STREAM_KEY): Promise<string> {
  const r = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return r[0]?.[0] ?? '0-0';
}

/** The id of the oldest entry still kept, or null when empty (a resume point before it lost entries). */
export async function firstAnomalyStreamId(redis: Redis, key: string = ANOMALY_STREAM_KEY): Promise<string | null> {
  const r = (await redis.xrange(key, '-', '+', 'COUNT', 1)) as [string, string[]][];
  return r[0]?.[0] ?? null;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
export const isStreamId = (s: string): boolean => STREAM_ID.test(s);

/** Stream ids compare as (ms, seq). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}
