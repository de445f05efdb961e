// BgpEvent ⇄ bgp_events rows (pure). Writes go as one JSON text of row tuples; reads come back
// as pg row objects and are turned into domain events here.

import { formatEventId } from '@/lib/bgp/event-id';
import type { BgpEvent, BgpEventType, EventSource, OriginAttribute, StoredBgpEvent } from '@/lib/bgp/types';

/**
 * The batch as one JSON text: an array of row tuples in INSERT_COLUMNS order (events.ts).
 * jsonb cannot hold the NUL character, which a hostile peer can put in any string: it becomes
 * U+FFFD (PostgreSQL text cannot store NUL either).
 */
export function eventsToJsonRows(events: readonly BgpEvent[]): string {
  const rows = events.map((e) => [
    e.source, e.collector, e.peerAsn, e.peerIp, e.eventType, e.prefix, e.prefixLength, e.originAsn, e.asPath,
    e.asPathSetMask, e.asPathLength, e.communities, e.nextHop, e.med, e.localPref, e.originAttribute, e.aggregator,
    e.timestampUs, e.rawMessage ?? null, e.dedupKey,
  ]);
  const text = JSON.stringify(rows);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll(NUL, '\uFFFD') : v));
}

/** A row as selected by EVENT_SELECT_LIST in events.ts (pg returns bigint as string). */
export interface EventRow {
  source: string;
  collector: string;
  peer_asn: string;
  peer_ip: string;
  event_type: string;
  prefix: string;
  prefix_length: number;
  origin_asn: string | null;
  as_path: string[];
  as_path_set_mask: boolean[] | null;
  as_path_length: number;
  communities: string[];
  next_hop: string | null;
  med: string | null;
  local_pref: string | null;
  origin_attribute: string | null;
  aggregator: string | null;
  timestamp_us: string;
  raw_message: unknown;
  dedup_key: string;
  ingested_at_ms: string;
}

const NUL = '\u0000';

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export function rowToStoredEvent(r: EventRow): StoredBgpEvent {
  const timestampUs = Number(r.timestamp_us);
  return {
    id: formatEventId(timestampUs, r.dedup_key),
    source: r.source as EventSource,
    collector: r.collector,
    peerAsn: Number(r.peer_asn),
    peerIp: r.peer_ip,
    eventType: r.event_type as BgpEventType,
    prefix: r.prefix,
    prefixLength: r.prefix_length,
    originAsn: num(r.origin_asn),
    asPath: r.as_path.map(Number),
    asPathSetMask: r.as_path_set_mask,
    asPathLength: r.as_path_length,
    communities: r.communities,
    nextHop: r.next_hop,
    med: num(r.med),
    localPref: num(r.local_pref),
    originAttribute: r.origin_attribute as OriginAttribute | null,
    aggregator: r.aggregator,
    timestampUs,
    rawMessage: r.raw_message ?? null,
    dedupKey: r.dedup_key,
    ingestedAtMs: Number(r.ingested_at_ms),
  };
}
