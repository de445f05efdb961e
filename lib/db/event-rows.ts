// BgpEvent ⇄ bgp_events rows (pure). Writes go column-wise (one array per column, for unnest);
// reads come back as pg row objects and are turned into domain events here.

import type { BgpEvent, BgpEventType, EventSource, OriginAttribute, StoredBgpEvent } from '@/lib/bgp/types';
import { bigintArrayLiteral, boolArrayLiteral, textArrayLiteral } from '@/lib/db/pg-array-literal';

/** Column arrays in the order of INSERT_COLUMNS in events.ts. */
export type EventColumns = [
  source: string[],
  collector: string[],
  peerAsn: number[],
  peerIp: string[],
  eventType: string[],
  prefix: string[],
  prefixLength: number[],
  originAsn: (number | null)[],
  asPath: string[],
  asPathSetMask: (string | null)[],
  asPathLength: number[],
  communities: string[],
  nextHop: (string | null)[],
  med: (number | null)[],
  localPref: (number | null)[],
  originAttribute: (string | null)[],
  aggregator: (string | null)[],
  timestampUs: number[],
  rawMessage: (string | null)[],
  dedupKey: string[],
];

export function eventsToColumns(events: readonly BgpEvent[]): EventColumns {
  const cols: EventColumns = [[], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], []];
  for (const e of events) {
    cols[0].push(e.source);
    cols[1].push(e.collector);
    cols[2].push(e.peerAsn);
    cols[3].push(e.peerIp);
    cols[4].push(e.eventType);
    cols[5].push(e.prefix);
    cols[6].push(e.prefixLength);
    cols[7].push(e.originAsn);
    cols[8].push(bigintArrayLiteral(e.asPath));
    cols[9].push(e.asPathSetMask ? boolArrayLiteral(e.asPathSetMask) : null);
    cols[10].push(e.asPathLength);
    cols[11].push(textArrayLiteral(e.communities));
    cols[12].push(e.nextHop);
    cols[13].push(e.med);
    cols[14].push(e.localPref);
    cols[15].push(e.originAttribute);
    cols[16].push(e.aggregator);
    cols[17].push(e.timestampUs);
    cols[18].push(rawJson(e.rawMessage));
    cols[19].push(e.dedupKey);
  }
  return cols;
}

/** A row as selected by EVENT_SELECT_LIST in events.ts (pg returns bigint as string). */
export interface EventRow {
  id: string;
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

/** jsonb rejects the NUL character (\u0000), which a hostile peer can put in a string. */
const NUL = '\u0000';
function rawJson(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const text = JSON.stringify(raw);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll(NUL, '\uFFFD') : v));
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export function rowToStoredEvent(r: EventRow): StoredBgpEvent {
  return {
    id: r.id,
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
    timestampUs: Number(r.timestamp_us),
    rawMessage: r.raw_message ?? null,
    dedupKey: r.dedup_key,
    ingestedAtMs: Number(r.ingested_at_ms),
  };
}
