// The idempotence key of an event: replays and reconnect overlaps produce the same key, so the
// database's unique index turns them into counted duplicates instead of new rows. Pure.

import * as crypto from 'node:crypto';
import type { BgpEvent } from '@/lib/bgp/types';

export type DedupKeyInput = Pick<BgpEvent, 'collector' | 'peerIp' | 'prefix' | 'eventType' | 'timestampUs' | 'asPath'>;

// One-shot crypto.hash (node ≥ 20.12) is ~3× cheaper than createHash().update().digest().
const md5: (text: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('md5', text, 'buffer') as unknown as Buffer
    : (text) => crypto.createHash('md5').update(text).digest();

/**
 * Stable signed 64-bit hash as a decimal string (fits PostgreSQL bigint).
 *
 * The encoding separates fields with "|" (never inside any field) and path hops with ",", so
 * different field splits cannot produce the same text. MD5 is used as a fast, well-spread
 * mixing function, not for security; its first 8 bytes are read as a big-endian int64. At the
 * full firehose (~1.4e9 events/day) the chance of any collision in a day is ~n²/2⁶⁵ ≈ 5 %, and
 * only a collision between events that also share the row's time partition could matter.
 */
export function computeDedupKey(e: DedupKeyInput): string {
  const text = `${e.collector}|${e.peerIp}|${e.prefix}|${e.eventType}|${e.timestampUs}|${e.asPath.join(',')}`;
  const digest = md5(text);
  return int64ToDecimal(digest.readUInt32BE(0), digest.readUInt32BE(4));
}

/**
 * Decimal text of the signed int64 whose two's-complement halves are hi:lo (both uint32), with
 * plain doubles: BigInt construction and toString cost more than the hash itself.
 */
export function int64ToDecimal(hi: number, lo: number): string {
  let negative = false;
  if (hi >= 0x80000000) {
    // Magnitude = two's complement of the 64-bit value.
    negative = true;
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  // hi·2³² + lo = hi·4294·10⁶ + (hi·967296 + lo); each term is an exact double (< 2⁵³).
  const low = hi * 967296 + lo;
  const carry = Math.floor(low / 1e6);
  const top = hi * 4294 + carry;
  const rest = low - carry * 1e6;
  const digits = top > 0 ? `${top}${String(rest).padStart(6, '0')}` : String(rest);
  return negative ? `-${digits}` : digits;
}
