// Domain → wire. Pure; used by route handlers and by the collector's push updates.

import type { StoredBgpEvent } from '@/lib/bgp/types';
import type { ApiBgpEvent } from '@/lib/api/types';

/** ISO-8601 UTC with microsecond precision (Date only keeps milliseconds). */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // ...sss Z
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

export function toApiEvent(e: StoredBgpEvent): ApiBgpEvent {
  return {
    id: e.id,
    source: e.source,
    collector: e.collector,
    peer_asn: e.peerAsn,
    peer_ip: e.peerIp,
    event_type: e.eventType,
    prefix: e.prefix,
    prefix_length: e.prefixLength,
    origin_asn: e.originAsn,
    as_path: e.asPath,
    as_path_set_mask: e.asPathSetMask,
    as_path_length: e.asPathLength,
    communities: e.communities,
    next_hop: e.nextHop,
    med: e.med,
    local_pref: e.localPref,
    origin_attribute: e.originAttribute,
    aggregator: e.aggregator,
    timestamp: microsToIso(e.timestampUs),
    raw_message: e.rawMessage,
    dedup_key: e.dedupKey,
    ingested_at: new Date(e.ingestedAtMs).toISOString(),
  };
}
