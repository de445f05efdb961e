// The one place BgpEvents are built, for every source: RIS Live (lib/sources/ris-live/normalize)
// and MRT archives (mrtItemToEvents below) produce identical events for the same route: same
// canonical prefix and address text, same flattened path, community text and dedup key. Pure.

import type { FlatAsPath } from '@/lib/bgp/as-path';
import { computeDedupKey, PeerDedupKeys } from '@/lib/bgp/dedup-key';
import { attributeBlockOf } from '@/lib/bgp/mrt/attributes';
import { MrtRoutePrefix } from '@/lib/bgp/mrt/nlri';
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
 * MRT segments flattened as flattenAsPath flattens RIS Live's shape (sequence hops as numbers, an
 * AS_SET as a nested array), without building that intermediate list. Confederation segments are
 * left out: they are internal to the peer's confederation, do not count in the path length
 * (RFC 5065) and RIS Live does not show them.
 */
function flattenSegments(segments: AsPathSegment[] | null): FlatAsPath {
  const asPath: number[] = [];
  let mask: boolean[] | null = null;
  let asPathLength = 0;
  let originAsn: number | null = null;
  if (segments) {
    for (const s of segments) {
      const asns = s.asns;
      if (s.type === AS_SEGMENT.SEQUENCE) {
        for (let i = 0; i < asns.length; i++) {
          asPath.push(asns[i]!);
          if (mask) mask.push(false);
        }
        if (asns.length > 0) originAsn = asns[asns.length - 1]!;
        asPathLength += asns.length;
      } else if (s.type === AS_SEGMENT.SET) {
        if (!mask) mask = new Array<boolean>(asPath.length).fill(false);
        for (let i = 0; i < asns.length; i++) {
          asPath.push(asns[i]!);
          mask.push(true);
        }
        if (asns.length > 0) asPathLength++;
        originAsn = asns.length === 1 ? asns[0]! : null;
      }
    }
  }
  return { asPath, asPathSetMask: mask, asPathLength, originAsn };
}

/**
 * "asn:value" texts of RFC 1997 communities. The same few thousand values recur in message after
 * message, so their text is kept (bounded: the map is emptied when it grows large).
 */
const communityText = new Map<number, string>();

function communityOf(c: number): string {
  let t = communityText.get(c);
  if (t === undefined) {
    if (communityText.size >= 1 << 16) communityText.clear();
    t = `${Math.floor(c / 65536)}:${c % 65536}`;
    communityText.set(c, t);
  }
  return t;
}

function communityTexts(a: BgpAttributes): string[] {
  const out: string[] = [];
  const c = a.communities;
  if (c) for (let i = 0; i < c.length; i++) out.push(communityOf(c[i]!));
  const l = a.largeCommunities;
  if (l) for (let i = 0; i + 2 < l.length; i += 3) out.push(`${l[i]}:${l[i + 1]}:${l[i + 2]}`);
  return out;
}

/** RouteAttributes plus the next hops of an MRT attribute block (withdrawals: all null). */
interface MrtRouteAttributes extends RouteAttributes {
  /** IPv4 routes: NEXT_HOP, else an IPv4 MP next hop. */
  nextHop4: string | null;
  /** IPv6 routes: the MP global next hop. */
  nextHop6: string | null;
}

function decodeRouteAttributes(a: BgpAttributes): MrtRouteAttributes {
  return {
    path: flattenSegments(a.asPath),
    communities: communityTexts(a),
    med: a.med,
    localPref: a.localPref,
    originAttribute: a.origin !== null ? (ORIGINS[a.origin] ?? null) : null,
    aggregator: a.aggregatorAsn !== null ? `${a.aggregatorAsn}:${a.aggregatorIp}` : null,
    nextHop4: a.nextHop ?? a.mpNextHop,
    nextHop6: a.mpNextHop,
  };
}

// Route attributes of recent attribute blocks, by their bytes: a RIB repeats the same block for
// many prefixes (3 in 4 entries of the 2002 RIB fixture), and a hit skips decoding the block and
// building its path and community texts. Direct-mapped; each slot keeps its own copy of the
// bytes (not the reader's slab) and blocks over SLOT_BYTES are not kept. The cached objects are
// shared, read-only, by the events of every entry with that block.
const SLOTS = 512;
const SLOT_BYTES = 256;
const slotBytes = new Uint8Array(SLOTS * SLOT_BYTES);
const slotLen = new Int32Array(SLOTS).fill(-1);
const slotFlags = new Int32Array(SLOTS);
const slotHash = new Int32Array(SLOTS);
const slotAttrs: (MrtRouteAttributes | undefined)[] = new Array<MrtRouteAttributes | undefined>(SLOTS).fill(undefined);

function routeAttributes(a: BgpAttributes): MrtRouteAttributes {
  const block = attributeBlockOf(a);
  if (block === null || block.blockLength > SLOT_BYTES) return decodeRouteAttributes(a);
  const h = block.blockHash();
  const slot = h & (SLOTS - 1);
  const cached = slotAttrs[slot];
  if (cached !== undefined && slotHash[slot] === h && block.blockEquals(slotFlags[slot]!, slotBytes, slot * SLOT_BYTES, slotLen[slot]!)) return cached;
  const r = decodeRouteAttributes(a);
  block.copyBlock(slotBytes, slot * SLOT_BYTES);
  slotLen[slot] = block.blockLength;
  slotFlags[slot] = block.blockFlags;
  slotHash[slot] = h;
  slotAttrs[slot] = r;
  return r;
}

const WITHDRAWAL: Pick<MrtRouteAttributes, 'nextHop4' | 'nextHop6'> = { nextHop4: null, nextHop6: null };

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

/** Same prefix text; decoded prefixes compare by their numbers (their texts are often unflattened cons strings). */
function samePrefix(p: RoutePrefix, q: RoutePrefix): boolean {
  if (p instanceof MrtRoutePrefix && q instanceof MrtRoutePrefix) {
    return p.samePrefix(q);
  }
  return p.prefix === q.prefix;
}

/** Up to this many routes in one message, repeats are found by comparing with the earlier ones (no Set). */
const LINEAR_REPEAT_CHECK = 16;

/**
 * Appends one event per distinct prefix of `prefixes` (the first occurrence wins) to `out`.
 * Same fields, in the same order, as buildRouteEvent, so all events share one hidden class.
 */
function appendRouteEvents(
  out: BgpEvent[],
  prefixes: RoutePrefix[],
  eventType: BgpEventType,
  c: RouteEventContext,
  keys: PeerDedupKeys,
  a: RouteAttributes,
  hops: Pick<MrtRouteAttributes, 'nextHop4' | 'nextHop6'>,
): void {
  const n = prefixes.length;
  const seen = n > LINEAR_REPEAT_CHECK ? new Set<string>() : null;
  const path = a.path;
  for (let i = 0; i < n; i++) {
    const p = prefixes[i]!;
    if (!isEventRoute(p)) continue;
    const prefix = p.prefix;
    if (seen) {
      if (seen.has(prefix)) continue;
      seen.add(prefix);
    } else if (i > 0) {
      let repeat = false;
      for (let j = 0; j < i; j++) {
        const q = prefixes[j]!;
        if (isEventRoute(q) && samePrefix(p, q)) {
          repeat = true;
          break;
        }
      }
      if (repeat) continue;
    }
    out.push({
      source: c.source,
      collector: c.collector,
      peerAsn: c.peerAsn,
      peerIp: c.peerIp,
      eventType,
      prefix,
      prefixLength: p.length,
      originAsn: path.originAsn,
      asPath: path.asPath,
      asPathSetMask: path.asPathSetMask,
      asPathLength: path.asPathLength,
      communities: a.communities,
      nextHop: p.afi === 2 ? hops.nextHop6 : hops.nextHop4,
      med: a.med,
      localPref: a.localPref,
      originAttribute: a.originAttribute,
      aggregator: a.aggregator,
      timestampUs: c.timestampUs,
      rawMessage: c.rawMessage,
      dedupKey: p instanceof MrtRoutePrefix && p.afi === 1 ? keys.keyIpv4(p.word(0), p.length, eventType, c.timestampUs, path.asPath) : keys.key(prefix, eventType, c.timestampUs, path.asPath),
    });
  }
}

/** The one prefix of a RIB entry, as a list for appendRouteEvents (reused: it is not kept). */
const ribPrefix: RoutePrefix[] = [];

/**
 * The dedup-key state of the latest peer: consecutive items mostly come from the same peer (a
 * RIB dump lists one peer's entries together; the reader hands out one text per address).
 */
let lastKeys: { collector: string; peerIp: string; keys: PeerDedupKeys } | null = null;

function peerKeys(collector: string, peerIp: string): PeerDedupKeys {
  if (lastKeys === null || lastKeys.peerIp !== peerIp || lastKeys.collector !== collector) lastKeys = { collector, peerIp, keys: new PeerDedupKeys(collector, peerIp) };
  return lastKeys.keys;
}

/**
 * Events of one MRT item: one per (prefix, type) of an UPDATE, announcements first as in the RIS
 * Live path (a prefix repeated in one message —
 * e.g. under several ADD-PATH ids — gives one event), and one announcement per RIB entry at the
 * dump time. State changes, peer tables and other records give none. The events of one message
 * share its path, mask and community arrays (read-only, as from buildRouteEvent).
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
  const events: BgpEvent[] = [];
  if (item.kind === 'rib') {
    if (!isEventRoute(item.prefix)) return events;
    ribPrefix[0] = item.prefix;
    const a = routeAttributes(item.attributes);
    appendRouteEvents(events, ribPrefix, 'announcement', c, peerKeys(c.collector, c.peerIp), a, a);
    return events;
  }
  if (item.announced.length === 0 && item.withdrawn.length === 0) return events;
  const keys = peerKeys(c.collector, c.peerIp);
  if (item.announced.length > 0) {
    const a = routeAttributes(item.attributes);
    appendRouteEvents(events, item.announced, 'announcement', c, keys, a, a);
  }
  if (item.withdrawn.length > 0) appendRouteEvents(events, item.withdrawn, 'withdrawal', c, keys, withdrawalAttributes(), WITHDRAWAL);
  return events;
}
