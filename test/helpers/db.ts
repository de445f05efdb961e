// Database helpers for integration tests: a clean slate between tests and realistic events.

import type { BgpEvent } from '@/lib/bgp/types';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { getPgPool } from '@/lib/db/client';

/**
 * Empties every table of ours. Partitions of bgp_events are kept (emptied), so the in-process
 * partition cache stays true and inserts keep working; identities restart at 1.
 */
export async function resetDatabase(): Promise<void> {
  await getPgPool().query('TRUNCATE bgp_events, ingest_gaps, bgp_anomalies, ingest_windows RESTART IDENTITY CASCADE');
}

/** A plausible announcement; override any field. The dedup key follows the final fields. */
export function makeTestEvent(overrides: Partial<BgpEvent> = {}): BgpEvent {
  const base: Omit<BgpEvent, 'dedupKey'> = {
    source: 'ris_live_bgp',
    collector: 'rrc21',
    peerAsn: 64500,
    peerIp: '192.0.2.1',
    eventType: 'announcement',
    prefix: '203.0.113.0/24',
    prefixLength: 24,
    originAsn: 64501,
    asPath: [64500, 64510, 64501],
    asPathSetMask: null,
    asPathLength: 3,
    communities: ['64500:100'],
    nextHop: '192.0.2.1',
    med: null,
    localPref: null,
    originAttribute: 'igp',
    aggregator: null,
    timestampUs: Date.UTC(2026, 10, 22, 10, 0, 0) * 1000,
    rawMessage: null,
    ...overrides,
  };
  return { ...base, dedupKey: overrides.dedupKey ?? computeDedupKey(base) };
}
