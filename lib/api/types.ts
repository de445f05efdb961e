// Wire shapes of the public JSON API (snake_case, as integrations expect). The zod contracts in
// lib/api/contracts.ts produce and parse these; UI hooks use the same contracts.

import type { BgpEventType, EventSource, OriginAttribute } from '@/lib/bgp/types';

export interface ApiBgpEvent {
  id: string;
  source: EventSource;
  collector: string;
  peer_asn: number;
  peer_ip: string;
  event_type: BgpEventType;
  prefix: string;
  prefix_length: number;
  origin_asn: number | null;
  as_path: number[];
  as_path_set_mask: boolean[] | null;
  as_path_length: number;
  communities: string[];
  next_hop: string | null;
  med: number | null;
  local_pref: number | null;
  origin_attribute: OriginAttribute | null;
  aggregator: string | null;
  /** ISO-8601 UTC with microseconds, e.g. 2026-11-22T10:00:00.123456Z */
  timestamp: string;
  raw_message: unknown | null;
  dedup_key: string;
  ingested_at: string;
}

export interface ApiError {
  error: { code: string; message: string };
}
