// RIS Live `ris_message` → normalized BgpEvents. Pure: no I/O, no clock. Events are built by
// lib/bgp/route-events (shared with the MRT path), so both give identical events for one route.
//
// One event per (prefix, type) of an UPDATE. RIS repeats an IPv6 announcement once per next hop
// (global + link-local fe80::) with identical prefix lists: each prefix becomes one event that
// keeps the global next hop. Prefix text is canonicalised (RIS sends "2605:de00:bb:0:0:0:0:0/48").
//
// Host bits: none of the 3,320 prefixes in the real captures (../shared/fixtures/ris-live) has host
// bits set, but MRT archives show routers' NLRI with non-zero trailing bits (bgpdump#2), and RIS
// Live prints what it decodes. Such a prefix is stored masked ("10.1.2.3/8" → "10.0.0.0/8"), as a
// router installs it, and only counted (`hostBitsZeroed`), not logged: logging per prefix at
// firehose rates would flood the log. Prefixes that do not parse at all are skipped and returned
// in `skipped` so the caller can count and log them.

import { flattenAsPath } from '@/lib/bgp/as-path';
import { PrefixError, canonicalIp, isIpv6LinkLocal, normalizePrefix } from '@/lib/bgp/prefix';
import { buildRouteEvent, withdrawalAttributes, type RouteAttributes, type RouteEventContext } from '@/lib/bgp/route-events';
import type { BgpEvent, BgpEventType, OriginAttribute } from '@/lib/bgp/types';
import { normalizeCollectorName, type RisMessageData, type RisUpdateData } from '@/lib/sources/ris-live/messages';

export interface NormalizeOptions {
  /** Keep the data object as `rawMessage` on every event. */
  storeRaw: boolean;
}

export interface SkippedPrefix {
  prefix: string;
  eventType: BgpEventType;
  reason: string;
}

export interface NormalizeResult {
  events: BgpEvent[];
  /** Prefixes left out because they do not parse (the rest of the message is kept). */
  skipped: SkippedPrefix[];
  /** Prefixes whose host bits were set and have been zeroed. */
  hostBitsZeroed: number;
}

const ORIGINS: Record<string, OriginAttribute> = { igp: 'igp', egp: 'egp', incomplete: 'incomplete' };

// Memo tables for the text → canonical conversions. The firehose repeats the same prefixes and
// the same ~1,300 peer/next-hop addresses constantly, and a lookup is several times cheaper than
// a parse. Results are pure functions of the key, so memoising keeps normalization pure; the
// tables are bounded and simply start over when full.
const MEMO_LIMIT = 200_000;
type PrefixMemo = { canonical: string; length: number; hostBitsZeroed: boolean } | { error: string };
const prefixMemo = new Map<string, PrefixMemo>();
const ipMemo = new Map<string, { ip: string; linkLocal: boolean } | null>();

function memoPrefix(text: string): PrefixMemo {
  let hit = prefixMemo.get(text);
  if (hit === undefined) {
    try {
      hit = normalizePrefix(text);
    } catch (err) {
      hit = { error: err instanceof PrefixError ? err.message : String(err) };
    }
    if (prefixMemo.size >= MEMO_LIMIT) prefixMemo.clear();
    prefixMemo.set(text, hit);
  }
  return hit;
}

/** Canonical address and whether it is IPv6 link-local; null when it is not an address. */
function memoIp(text: string): { ip: string; linkLocal: boolean } | null {
  let hit = ipMemo.get(text);
  if (hit === undefined) {
    try {
      const ip = canonicalIp(text);
      hit = { ip, linkLocal: isIpv6LinkLocal(ip) };
    } catch {
      hit = null;
    }
    if (ipMemo.size >= MEMO_LIMIT) ipMemo.clear();
    ipMemo.set(text, hit);
  }
  return hit;
}

/**
 * Seconds (float, 2–3 decimals on the wire) → integer µs. Measured: for current epoch values the
 * product already lands on the exact integer for every 3- and 6-decimal input (the spacing of
 * doubles there is 0.25 µs); the rounding makes that a guarantee and drops sub-µs digits.
 */
export function risTimestampToMicros(ts: number): number {
  return Math.round(ts * 1e6);
}

function originAttribute(origin: string | null | undefined): OriginAttribute | null {
  return origin ? (ORIGINS[origin.toLowerCase()] ?? null) : null;
}

function canonicalPrefixCounting(
  text: string,
  eventType: BgpEventType,
  out: NormalizeResult,
): { canonical: string; length: number } | null {
  const p = typeof text === 'string' ? memoPrefix(text) : { error: 'prefix is not a string' };
  if ('error' in p) {
    out.skipped.push({ prefix: String(text), eventType, reason: p.error });
    return null;
  }
  if (p.hostBitsZeroed) out.hostBitsZeroed++;
  return p;
}

function normalizeUpdate(data: RisUpdateData, opts: NormalizeOptions, out: NormalizeResult): void {
  const announcements = data.announcements ?? [];
  const withdrawals = data.withdrawals ?? [];
  if (announcements.length === 0 && withdrawals.length === 0) return;

  const peer = memoIp(data.peer);
  if (!peer) {
    // Unreachable for frames that passed parseServerFrame; kept so bad input never throws.
    const reason = `bad peer address ${JSON.stringify(data.peer)}`;
    for (const a of announcements) for (const p of a.prefixes) out.skipped.push({ prefix: p, eventType: 'announcement', reason });
    for (const p of withdrawals) out.skipped.push({ prefix: p, eventType: 'withdrawal', reason });
    return;
  }

  const ctx: RouteEventContext = {
    source: 'ris_live_bgp',
    collector: normalizeCollectorName(data.host),
    peerAsn: typeof data.peer_asn === 'number' ? data.peer_asn : Number(data.peer_asn),
    peerIp: peer.ip,
    timestampUs: risTimestampToMicros(data.timestamp),
    rawMessage: opts.storeRaw ? data : null,
  };

  if (announcements.length > 0) {
    // Shared by all events of this message; consumers treat events as read-only.
    const attrs: RouteAttributes = {
      path: flattenAsPath(data.path ?? []),
      communities: (data.community ?? []).map(([asn, value]) => `${asn}:${value}`),
      med: data.med ?? null,
      localPref: null,
      originAttribute: originAttribute(data.origin),
      aggregator: data.aggregator ?? null,
    };
    // Most messages carry one next hop; only then is the per-prefix map needed.
    const byPrefix = announcements.length > 1 ? new Map<string, BgpEvent>() : null;
    for (const a of announcements) {
      const hop = memoIp(a.next_hop);
      const nextHop = hop ? hop.ip : null;
      const linkLocal = hop ? hop.linkLocal : false;
      for (const text of a.prefixes) {
        const parsed = canonicalPrefixCounting(text, 'announcement', out);
        if (!parsed) continue;
        const seen = byPrefix?.get(parsed.canonical);
        if (seen) {
          // Same route repeated for another next hop: prefer the global address.
          if (!linkLocal && (seen.nextHop === null || memoIp(seen.nextHop)?.linkLocal)) seen.nextHop = nextHop;
          continue;
        }
        const event = buildRouteEvent(ctx, 'announcement', parsed.canonical, parsed.length, attrs, nextHop);
        byPrefix?.set(parsed.canonical, event);
        out.events.push(event);
      }
    }
    // A single next hop can still list a prefix twice.
    if (!byPrefix) dedupeInPlace(out.events);
  }

  if (withdrawals.length === 0) return;
  // Per message, not module-wide, so no two messages share a mutable array.
  const noRoute = withdrawalAttributes();
  let withdrawn: Set<string> | null = null;
  for (const text of withdrawals) {
    const parsed = canonicalPrefixCounting(text, 'withdrawal', out);
    if (!parsed) continue;
    if (withdrawals.length > 1) {
      withdrawn ??= new Set<string>();
      if (withdrawn.has(parsed.canonical)) continue;
      withdrawn.add(parsed.canonical);
    }
    out.events.push(buildRouteEvent(ctx, 'withdrawal', parsed.canonical, parsed.length, noRoute, null));
  }
}

/** Drops repeated announcements of one prefix (rare: only a malformed list repeats a prefix). */
function dedupeInPlace(events: BgpEvent[]): void {
  if (events.length < 2) return;
  const seen = new Set<string>();
  let w = 0;
  for (const e of events) {
    if (e.eventType === 'announcement') {
      if (seen.has(e.prefix)) continue;
      seen.add(e.prefix);
    }
    events[w++] = e;
  }
  events.length = w;
}

/** Like normalizeRisMessage, also returning the prefixes it had to skip and how many it masked. */
export function normalizeRisMessageDetailed(data: RisMessageData, opts: NormalizeOptions): NormalizeResult {
  const out: NormalizeResult = { events: [], skipped: [], hostBitsZeroed: 0 };
  if (data.type === 'UPDATE') normalizeUpdate(data, opts, out);
  return out;
}

/** One BgpEvent per (prefix, type) of an UPDATE; other message types yield []. */
export function normalizeRisMessage(data: RisMessageData, opts: NormalizeOptions): BgpEvent[] {
  return normalizeRisMessageDetailed(data, opts).events;
}
