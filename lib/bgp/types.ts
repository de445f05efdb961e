// The normalized event model shared by every source (RIS Live now, MRT archives later),
// the database layer, the API and the UI. Detection never sees a wire format.

export const EVENT_SOURCES = ['ris_live_bgp', 'bgpstream_bgp'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export const EVENT_TYPES = ['announcement', 'withdrawal'] as const;
export type BgpEventType = (typeof EVENT_TYPES)[number];

/** BGP ORIGIN attribute, lower-cased (RIS Live sends "IGP" since 2025, "igp" before). */
export type OriginAttribute = 'igp' | 'egp' | 'incomplete';

/**
 * One announcement or withdrawal of one prefix by one peer, at one event time.
 *
 * AS numbers are plain JS numbers: 32-bit ASNs fit exactly. Times are integer microseconds
 * since the Unix epoch (event time: when the collector received the BGP message), which stays
 * below 2^53 until the year 2255.
 */
export interface BgpEvent {
  source: EventSource;
  /** Collector name without domain: "rrc21", "route-views2". */
  collector: string;
  peerAsn: number;
  /** Canonical textual form of the peer address. */
  peerIp: string;
  eventType: BgpEventType;
  /** Canonical CIDR: host bits zero, IPv6 compressed lower-case ("2605:de00:bb::/48"). */
  prefix: string;
  prefixLength: number;
  /**
   * Last AS of the path. null for withdrawals, for an empty path, and for a path that ends in an
   * AS_SET of more than one member (origin undetermined). An AS_SET of exactly one member counts.
   */
  originAsn: number | null;
  /** AS path flattened in order; AS_SET members are kept (in their set order) and flagged below. */
  asPath: number[];
  /** Same length as asPath; true where the hop is a member of an AS_SET. null when the path has no AS_SET. */
  asPathSetMask: boolean[] | null;
  /** Path length as BGP best-path selection counts it: each sequence hop 1, each AS_SET 1. */
  asPathLength: number;
  /** "asn:value" (RFC 1997) and "a:b:c" (RFC 8092 large) communities. */
  communities: string[];
  nextHop: string | null;
  med: number | null;
  localPref: number | null;
  originAttribute: OriginAttribute | null;
  /** "asn:ipv4" as in RIS Live. */
  aggregator: string | null;
  /** Event time, integer microseconds since the epoch. */
  timestampUs: number;
  /** The original message (RIS Live data object, or MRT record as hex) when raw storage is on. */
  rawMessage: unknown | null;
  /**
   * Stable 64-bit hash (as a decimal string, fits PostgreSQL bigint) of
   * collector, peer, prefix, type, timestamp and path: the idempotence key.
   */
  dedupKey: string;
}

/** A stored event: the model above plus its identity. */
export interface StoredBgpEvent extends BgpEvent {
  /** `<timestampUs>_<dedupKey>` (lib/bgp/event-id.ts): the table's primary key, known before insert. */
  id: string;
  /** Wall-clock time the row was written (ms since epoch). */
  ingestedAtMs: number;
}

/** How `prefix` filters match stored prefixes. */
export const PREFIX_MATCHES = ['exact', 'covering', 'more_specific'] as const;
/**
 * exact: the prefix itself; covering: the prefix and every less-specific that covers it;
 * more_specific: the prefix and everything inside it.
 */
export type PrefixMatch = (typeof PREFIX_MATCHES)[number];

/** Filter for listing events (API and detectors). Times are microseconds since the epoch. */
export interface EventFilter {
  prefix?: string;
  prefixMatch?: PrefixMatch;
  originAsn?: number;
  peerAsn?: number;
  collector?: string;
  eventType?: BgpEventType;
  source?: EventSource;
  timeFromUs?: number;
  timeToUs?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface EventPage {
  data: StoredBgpEvent[];
  nextCursor: string | null;
}

/** A stretch of event time the live feed may have missed (disconnect, server drop, overflow). */
export interface IngestGap {
  source: EventSource;
  /** Wall-clock ms when the loss started (socket closed / overflow began). */
  startedAtMs: number;
  /** Wall-clock ms when data flowed again. */
  endedAtMs: number;
  /** Event time (µs) of the last message before the gap, if any. */
  lastEventBeforeUs: number | null;
  /** Event time (µs) of the first message after the gap, if known. */
  firstEventAfterUs: number | null;
  reason: string;
}
