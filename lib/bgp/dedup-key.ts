// The idempotence key of an event: replays and reconnect overlaps produce the same key, so the
// table's primary key (timestamp, dedup_key) turns them into counted duplicates instead of new
// rows. Pure.

import type { BgpEvent } from '@/lib/bgp/types';

export type DedupKeyInput = Pick<BgpEvent, 'collector' | 'peerIp' | 'prefix' | 'eventType' | 'timestampUs' | 'asPath'>;

/**
 * Stable 53-bit hash as a decimal string (a non-negative PostgreSQL bigint, exact as a JS number).
 *
 * Fields are fed in a fixed order with a distinct separator after each, and numbers as fixed-width
 * words, so different field splits cannot produce the same input. The key only has to tell apart events that
 * share the same microsecond (it is unique together with the timestamp), a few hundred at most
 * even on the full feed, so 53 well-mixed bits leave collisions at ~n²/2⁵⁴ ≈ 10⁻¹² per instant.
 * A non-cryptographic hash, because this runs for every event: MD5 through node:crypto plus the
 * 64-bit decimal conversion cost ~2 µs per event, half of the MRT backfill's CPU time.
 */
export function computeDedupKey(e: DedupKeyInput): string {
  // Streams the fields into the hash instead of building the joined text first (that string
  // and the path's join() were half the cost). Separator codes keep field boundaries apart.
  let a = textA(A0, B0, e.collector);
  let b = textB(B0, e.collector);
  const a1 = mixA(a, SEP | 1);
  b = mixB(b, SEP | 1);
  a = textA(a1, b, e.peerIp);
  b = textB(b, e.peerIp);
  return finishRoute(mixA(a, SEP | 2), mixB(b, SEP | 2), e.prefix, e.eventType, e.timestampUs, e.asPath);
}

/**
 * computeDedupKey for the many events of one message: the collector and peer are hashed once
 * (the hash is fed in field order, so their state can be kept and resumed). Same keys.
 */
export class PeerDedupKeys {
  private readonly a: number;
  private readonly b: number;

  constructor(collector: string, peerIp: string) {
    let a = textA(A0, B0, collector);
    let b = textB(B0, collector);
    const a1 = mixA(a, SEP | 1);
    b = mixB(b, SEP | 1);
    a = textA(a1, b, peerIp);
    b = textB(b, peerIp);
    this.a = mixA(a, SEP | 2);
    this.b = mixB(b, SEP | 2);
  }

  key(prefix: string, eventType: string, timestampUs: number, asPath: readonly number[]): string {
    return finishRoute(this.a, this.b, prefix, eventType, timestampUs, asPath);
  }

  /**
   * key() for the IPv4 prefix `addr`/`bits` (host bits zero) given as numbers: the characters of
   * its canonical text "a.b.c.d/len" are fed without making the string (a route's text is usually
   * a cons string, which hashing would first have to flatten).
   */
  keyIpv4(addr: number, bits: number, eventType: string, timestampUs: number, asPath: readonly number[]): string {
    let a = this.a;
    let b = this.b;
    let n = 0;
    for (let k = 0; k < 5; k++) {
      const v = k === 4 ? bits : (addr >>> (24 - 8 * k)) & 0xff;
      // Separator before the value: '.' between octets, '/' before the length.
      if (k > 0) {
        const sep = k === 4 ? 0x2f : 0x2e;
        a = mixA(a, sep);
        b = mixB(b, sep);
        n++;
      }
      if (v >= 100) {
        const d = 0x30 + Math.floor(v / 100);
        a = mixA(a, d);
        b = mixB(b, d);
        n++;
      }
      if (v >= 10) {
        const d = 0x30 + (Math.floor(v / 10) % 10);
        a = mixA(a, d);
        b = mixB(b, d);
        n++;
      }
      const d = 0x30 + (v % 10);
      a = mixA(a, d);
      b = mixB(b, d);
      n++;
    }
    return finishAfterPrefix(a ^ n, b, eventType, timestampUs, asPath);
  }
}

/** Hash of one string, the same function the key uses (for tests and other callers). */
export function hash53(s: string): number {
  return value(textA(A0, B0, s), textB(B0, s));
}

// The hash: two independently multiplied 32-bit lanes (a: FNV-1a style, b: multiply-rotate), fed
// UTF-16 code units and 32-bit words, then avalanche mixing. The lanes live in local variables and
// pass through small pure functions V8 inlines: kept in module variables or fields they are boxed
// as heap numbers on every update (an allocation per step).
const A0 = 0x811c9dc5 | 0;
const B0 = 0x27d4eb2f;
const SEP = 0x5eb00000;

function mixA(a: number, w: number): number {
  return Math.imul(a ^ w, 0x01000193);
}

function mixB(b: number, w: number): number {
  const m = Math.imul(b ^ w, 0x5bd1e995);
  return (m << 15) | (m >>> 17);
}

/** Lane a after the code units of s and its length (the lanes are independent: b is not needed). */
function textA(a: number, _b: number, s: string): number {
  for (let i = 0; i < s.length; i++) a = mixA(a, s.charCodeAt(i));
  return a ^ s.length;
}

function textB(b: number, s: string): number {
  for (let i = 0; i < s.length; i++) b = mixB(b, s.charCodeAt(i));
  return b;
}

function finishRoute(a: number, b: number, prefix: string, eventType: string, timestampUs: number, asPath: readonly number[]): string {
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    a = mixA(a, c);
    b = mixB(b, c);
  }
  return finishAfterPrefix(a ^ prefix.length, b, eventType, timestampUs, asPath);
}

function finishAfterPrefix(a: number, b: number, eventType: string, timestampUs: number, asPath: readonly number[]): string {
  a = mixA(a, SEP | 3);
  b = mixB(b, SEP | 3);
  for (let i = 0; i < eventType.length; i++) {
    const c = eventType.charCodeAt(i);
    a = mixA(a, c);
    b = mixB(b, c);
  }
  a ^= eventType.length;
  a = mixA(a, SEP | 4);
  b = mixB(b, SEP | 4);
  // Numbers (non-negative, below 2^53) as their low and high 32-bit halves.
  let lo = timestampUs >>> 0;
  let hi = Math.floor(timestampUs / 0x100000000);
  a = mixA(mixA(a, lo), hi);
  b = mixB(mixB(b, lo), hi);
  a = mixA(a, SEP | 5);
  b = mixB(b, SEP | 5);
  for (let i = 0; i < asPath.length; i++) {
    const n = asPath[i]!;
    lo = n >>> 0;
    hi = Math.floor(n / 0x100000000);
    a = mixA(mixA(a, lo), hi);
    b = mixB(mixB(b, lo), hi);
  }
  return decimal(value(a, b));
}

function value(la: number, lb: number): number {
  const a = fmix32(la ^ Math.imul(lb, 0x9e3779b1));
  const b = fmix32(lb ^ Math.imul(a, 0x85ebca77));
  return (b & 0x1fffff) * 0x100000000 + (a >>> 0);
}

/** Final mixing step: every input bit affects every output bit (MurmurHash3's finalizer constants). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** "0" … "9999" and "0000" … "9999". */
const DIGITS4: string[] = [];
const DIGITS4_PADDED: string[] = [];
for (let i = 0; i < 10000; i++) {
  DIGITS4.push(String(i));
  DIGITS4_PADDED.push(String(i).padStart(4, '0'));
}

/**
 * String(n) for an integer 0 ≤ n < 2^53, from 4-digit groups: 2-3× faster than String() on
 * numbers above 2^31 (V8 formats those as doubles and caches each new string).
 */
export function decimal(n: number): string {
  const hi = Math.floor(n / 1e8);
  const lo = n - hi * 1e8;
  const l1 = Math.floor(lo / 1e4);
  const l0 = lo - l1 * 1e4;
  if (hi === 0) return l1 === 0 ? DIGITS4[l0]! : DIGITS4[l1]! + DIGITS4_PADDED[l0]!;
  const h1 = Math.floor(hi / 1e4);
  const h0 = hi - h1 * 1e4;
  return (h1 === 0 ? DIGITS4[h0]! : DIGITS4[h1]! + DIGITS4_PADDED[h0]!) + DIGITS4_PADDED[l1]! + DIGITS4_PADDED[l0]!;
}
