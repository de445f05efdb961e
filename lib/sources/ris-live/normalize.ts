// RIS Live `ris_message` → normalized BgpEvents. Pure: no I/O, no clock.
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
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { PrefixError, canonicalIp, isIpv6LinkLocal, normalizePrefix } from '@/lib/bgp/prefix';
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
): { prefix: string; length: number } | null {
  try {
    const p = normalizePrefix(text);
    if (p.hostBitsZeroed) out.hostBitsZeroed++;
    return { prefix: p.canonical, length: p.length };
  } catch (err) {
    out.skipped.push({ prefix: String(text), eventType, reason: err instanceof PrefixError ? err.message : String(err) });
    return null;
  }
}

function normalizeUpdate(data: RisUpdateData, opts: NormalizeOptions, out: NormalizeResult): void {
  const announcements = data.announcements ?? [];
  const withdrawals = data.withdrawals ?? [];
  if (announcements.length === 0 && withdrawals.length === 0) return;

  let peerIp: string;
  try {
    peerIp = canonicalIp(data.peer);
  } catch (err) {
    // Unreachable for frames that passed parseServerFrame; kept so bad input never throws.
    const reason = `bad peer address: ${(err as Error).message}`;
    for (const a of announcements) for (const p of a.prefixes) out.skipped.push({ prefix: p, eventType: 'announcement', reason });
    for (const p of withdrawals) out.skipped.push({ prefix: p, eventType: 'withdrawal', reason });
    return;
  }

  const collector = normalizeCollectorName(data.host);
  const peerAsn = typeof data.peer_asn === 'number' ? data.peer_asn : Number(data.peer_asn);
  const timestampUs = risTimestampToMicros(data.timestamp);
  const rawMessage = opts.storeRaw ? data : null;
  const base = { source: 'ris_live_bgp' as const, collector, peerAsn, peerIp, timestampUs, rawMessage, localPref: null };

  if (announcements.length > 0) {
    // Shared by all events of this message; consumers treat events as read-only.
    const path = flattenAsPath(data.path ?? []);
    const communities = (data.community ?? []).map(([asn, value]) => `${asn}:${value}`);
    const med = data.med ?? null;
    const origin = originAttribute(data.origin);
    const aggregator = data.aggregator ?? null;
    const byPrefix = new Map<string, BgpEvent>();
    for (const a of announcements) {
      let nextHop: string | null;
      try {
        nextHop = canonicalIp(a.next_hop);
      } catch {
        nextHop = null;
      }
      const linkLocal = nextHop !== null && isIpv6LinkLocal(nextHop);
      for (const text of a.prefixes) {
        const parsed = canonicalPrefixCounting(text, 'announcement', out);
        if (!parsed) continue;
        const seen = byPrefix.get(parsed.prefix);
        if (seen) {
          // Same route repeated for another next hop: prefer the global address.
          if (!linkLocal && (seen.nextHop === null || isIpv6LinkLocal(seen.nextHop))) seen.nextHop = nextHop;
          continue;
        }
        const event: BgpEvent = {
          ...base,
          eventType: 'announcement',
          prefix: parsed.prefix,
          prefixLength: parsed.length,
          originAsn: path.originAsn,
          asPath: path.asPath,
          asPathSetMask: path.asPathSetMask,
          asPathLength: path.asPathLength,
          communities,
          nextHop,
          med,
          originAttribute: origin,
          aggregator,
          dedupKey: computeDedupKey({
            collector,
            peerIp,
            prefix: parsed.prefix,
            eventType: 'announcement',
            timestampUs,
            asPath: path.asPath,
          }),
        };
        byPrefix.set(parsed.prefix, event);
        out.events.push(event);
      }
    }
  }

  const withdrawn = new Set<string>();
  for (const text of withdrawals) {
    const parsed = canonicalPrefixCounting(text, 'withdrawal', out);
    if (!parsed || withdrawn.has(parsed.prefix)) continue;
    withdrawn.add(parsed.prefix);
    out.events.push({
      ...base,
      eventType: 'withdrawal',
      prefix: parsed.prefix,
      prefixLength: parsed.length,
      originAsn: null,
      asPath: [],
      asPathSetMask: null,
      asPathLength: 0,
      communities: [],
      nextHop: null,
      med: null,
      originAttribute: null,
      aggregator: null,
      dedupKey: computeDedupKey({ collector, peerIp, prefix: parsed.prefix, eventType: 'withdrawal', timestampUs, asPath: [] }),
    });
  }
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
