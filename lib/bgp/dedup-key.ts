// The idempotence key of an event: replays and reconnect overlaps produce the same key, so the
// database's unique index turns them into counted duplicates instead of new rows. Pure.

import { createHash } from 'node:crypto';
import type { BgpEvent } from '@/lib/bgp/types';

export type DedupKeyInput = Pick<BgpEvent, 'collector' | 'peerIp' | 'prefix' | 'eventType' | 'timestampUs' | 'asPath'>;

/**
 * Stable signed 64-bit hash as a decimal string (fits PostgreSQL bigint).
 *
 * The encoding separates fields with "|" (never inside any field) and path hops with ",", so
 * different field splits cannot produce the same text. MD5 is used as a fast, well-spread
 * mixing function, not for security: a 64-bit key gives a collision chance of ~n²/2⁶⁵, about
 * 1e-7 for the 2-day hot window of a filtered feed and still negligible per partition.
 */
export function computeDedupKey(e: DedupKeyInput): string {
  const text = `${e.collector}|${e.peerIp}|${e.prefix}|${e.eventType}|${e.timestampUs}|${e.asPath.join(',')}`;
  return createHash('md5').update(text).digest().readBigInt64BE(0).toString();
}
