// The one place BgpEvents are built, for every source: RIS Live (lib/sources/ris-live/normalize)
// and MRT archives (mrtItemToEvents below) produce identical events for the same route: same
// canonical prefix and address text, same flattened path, community text and dedup key. Pure.

import { flattenAsPath, type FlatAsPath, type RawAsPathElement } from '@/lib/bgp/as-path';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { AS_SEGMENT, type AsPathSegment, type BgpAttributes, type MrtItem, type RoutePrefix } from '@/lib/bgp/mrt/types';
import type { BgpEvent, BgpEventType, EventSource, OriginAttribute } from '@/lib/bgp/types';

/** What every event of one message shares. */
export interface RouteEventContext {
  source: EventSource;
  collector: string;
  peerAsn: number;
  peerIp: string;
  timestampUs: number;
  rawMessage: unknown;
}

/** Route attributes shared by the announcements of one message (null/empty for withdrawals). */
export interface RouteAttributes {
  path: FlatAsPath;
  communities: string[];
  med: number | null;
  localPref: number | null;
  originAttribute: OriginAttribute | null;
  aggregator: string | null;
}

/** Builds events with one fixed property order, so every event shares one hidden class. */
export function buildRouteEvent(
  c: RouteEventContext,
  eventType: BgpEventType,
  prefix: string,
  prefixLength: number,
  a: RouteAttributes,
  nextHop: string | null,
): BgpEvent {
  return {
    source: c.source,
    collector: c.collector,
    peerAsn: c.peerAsn,
    peerIp: c.peerIp,
    eventType,
    prefix,
    prefixLength,
    originAsn: a.path.originAsn,
    asPath: a.path.asPath,
    asPathSetMask: a.path.asPathSetMask,
    asPathLength: a.path.asPathLength,
    communities: a.communities,
    nextHop,
    med: a.med,
    localPref: a.localPref,
    originAttribute: a.originAttribute,
    aggregator: a.aggregator,
    timestampUs: c.timestampUs,
    rawMessage: c.rawMessage,
    dedupKey: computeDedupKey({ collector: c.collector, peerIp: c.peerIp, prefix, eventType, timestampUs: c.timestampUs, asPath: a.path.asPath }),
  };
}

/** Attributes of a withdrawal. A fresh object per message, so no two messages share mutable arrays. */
export function withdrawalAttributes(): RouteAttributes {
  return {
    path: { asPath: [], asPathSetMask: null, asPathLength: 0, originAsn: null },
    communities: [],
    med: null,
    localPref: null,
    originAttribute: null,
    aggregator: null,
  };
}

// ---- MRT ----

const ORIGINS: (OriginAttribute | null)[] = ['igp', 'egp', 'incomplete'];

/**
 * MRT segments in RIS Live's path shape: sequence hops as numbers, an AS_SET as an array.
 * Confederation segments are left out: they are internal to the peer's confederation, do not count
 * in the path length (RFC 5065) and RIS Live does not show them.
 */
function risShapedPath(segments: AsPathSegment[] | null): RawAsPathElement[] {
  const out: RawAsPathElement[] = [];
  if (!segments) return out;
  for (const s of segments) {
    if (s.type === AS_SEGMENT.SEQUENCE) for (const asn of s.asns) out.push(asn);
    else if (s.type === AS_SEGMENT.SET) out.push(s.asns);
  }
  return out;
}

function communityTexts(a: BgpAttributes): string[] {
  const out: string[] = [];
  if (a.communities) for (const c of a.communities) out.push(`${Math.floor(c / 65536)}:${c % 65536}`);
  const l = a.largeCommunities;
  if (l) for (let i = 0; i + 2 < l.length; i += 3) out.push(`${l[i]}:${l[i + 1]}:${l[i + 2]}`);
  return out;
}

function routeAttributes(a: BgpAttributes): RouteAttributes {
  return {
    path: flattenAsPath(risShapedPath(a.asPath)),
    communities: communityTexts(a),
    med: a.med,
    localPref: a.localPref,
    originAttribute: a.origin !== null ? (ORIGINS[a.origin] ?? null) : null,
    aggregator: a.aggregatorAsn !== null ? `${a.aggregatorAsn}:${a.aggregatorIp}` : null,
  };
}

/** The next hop of a route: NEXT_HOP for IPv4 (else an IPv4 MP next hop), the MP global one for IPv6. */
function nextHopOf(p: RoutePrefix, a: BgpAttributes): string | null {
  if (p.afi === 2) return a.mpNextHop;
  return a.nextHop ?? a.mpNextHop;
}

/** Unicast and multicast only: labeled and VPN routes belong to other tables than the events model. */
function isEventRoute(p: RoutePrefix): boolean {
  return p.safi === 1 || p.safi === 2;
}

export interface MrtEventContext {
  collector: string;
  source: EventSource;
  /** Keep the MRT record (hex, when the reader kept it) as rawMessage. */
  storeRaw: boolean;
}

/**
 * Events of one MRT item: one per (prefix, type) of an UPDATE, announcements first as in the RIS
 * Live path (a prefix repeated in one message —
 * e.g. under several ADD-PATH ids — gives one event), and one announcement per RIB entry at the
 * dump time. State changes, peer tables and other records give none.
 */
export function mrtItemToEvents(item: MrtItem, ctx: MrtEventContext): BgpEvent[] {
  if (item.kind !== 'update' && item.kind !== 'rib') return [];
  const c: RouteEventContext = {
    source: ctx.source,
    collector: ctx.collector,
    peerAsn: item.peerAsn,
    peerIp: item.peerIp,
    timestampUs: item.kind === 'update' ? item.collectorTimeUs : item.timestampUs,
    rawMessage: ctx.storeRaw ? (item.record.raw ?? null) : null,
  };
  if (item.kind === 'rib') {
    if (!isEventRoute(item.prefix)) return [];
    return [buildRouteEvent(c, 'announcement', item.prefix.prefix, item.prefix.length, routeAttributes(item.attributes), nextHopOf(item.prefix, item.attributes))];
  }
  const events: BgpEvent[] = [];
  if (item.announced.length > 0) {
    const a = routeAttributes(item.attributes);
    const seen = item.announced.length > 1 ? new Set<string>() : null;
    for (const p of item.announced) {
      if (!isEventRoute(p) || seen?.has(p.prefix)) continue;
      seen?.add(p.prefix);
      events.push(buildRouteEvent(c, 'announcement', p.prefix, p.length, a, nextHopOf(p, item.attributes)));
    }
  }
  if (item.withdrawn.length > 0) {
    const w = withdrawalAttributes();
    const seen = item.withdrawn.length > 1 ? new Set<string>() : null;
    for (const p of item.withdrawn) {
      if (!isEventRoute(p) || seen?.has(p.prefix)) continue;
      seen?.add(p.prefix);
      events.push(buildRouteEvent(c, 'withdrawal', p.prefix, p.length, w, null));
    }
  }
  return events;
}
