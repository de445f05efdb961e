import { describe, expect, it } from 'vitest';
import type { BgpEvent } from '@/lib/bgp/types';
import { anomaliesFromChanges, anomaliesFromNewRoutes, WatchList } from '@/lib/rpki/anomalies';
import { RouteTable } from '@/lib/rpki/route-table';
import { VERDICT } from '@/lib/rpki/types';
import { NO_VERDICT, validateEvents } from '@/lib/rpki/validate-events';
import { VrpIndex } from '@/lib/rpki/vrp-index';

const T = 1_790_000_000_000_000;

function ev(o: Partial<BgpEvent>): BgpEvent {
  return {
    source: 'ris_live_bgp', collector: 'rrc00', peerAsn: 64500, peerIp: '192.0.2.1', eventType: 'announcement',
    prefix: '203.0.113.0/24', prefixLength: 24, originAsn: 64501, asPath: [64500, 64501], asPathSetMask: null, asPathLength: 2,
    communities: [], nextHop: null, med: null, localPref: null, originAttribute: 'igp', aggregator: null, timestampUs: T, rawMessage: null, dedupKey: '1',
    ...o,
  };
}

const idx = (vrps: { prefix: string; maxLength: number; asn: number }[]) => VrpIndex.build(vrps).index;

describe('validateEvents', () => {
  it('gives one verdict per event, none for withdrawals; AS_SET origin is invalid when covered', () => {
    const index = idx([{ prefix: '203.0.113.0/24', maxLength: 24, asn: 64501 }]);
    const codes = validateEvents(
      [ev({}), ev({ originAsn: 64999 }), ev({ eventType: 'withdrawal', originAsn: null }), ev({ originAsn: null }), ev({ prefix: '198.51.100.0/24' }), ev({ prefix: '203.0.113.0/25', prefixLength: 25 })],
      index,
    );
    expect([...codes]).toEqual([VERDICT.valid, VERDICT.invalidAsn, NO_VERDICT, VERDICT.invalidAsn, VERDICT.notFound, VERDICT.invalidLength]);
  });
});

describe('RouteTable', () => {
  it('tracks pairs per peer, releases them on withdrawal and on a new origin', () => {
    const index = idx([{ prefix: '203.0.113.0/24', maxLength: 24, asn: 64501 }]);
    const t = new RouteTable();
    const batch = [ev({}), ev({ peerIp: '192.0.2.2' }), ev({ prefix: '198.51.100.0/24', originAsn: 7 })];
    expect(t.observe(batch, validateEvents(batch, index)).map((p) => p.prefix)).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
    expect(t.counts()).toMatchObject({ pairs: 2, valid: 1, notFound: 1, invalid: 0 });
    // Peer 1 switches the origin (hijack-like): a new invalid pair appears; the valid one stays (peer 2).
    const b2 = [ev({ originAsn: 666 })];
    expect(t.observe(b2, validateEvents(b2, index))).toEqual([{ prefix: '203.0.113.0/24', origin: 666, verdict: VERDICT.invalidAsn, lastSeenUs: T }]);
    expect(t.counts()).toMatchObject({ pairs: 3, valid: 1, invalid: 1 });
    const w = [ev({ eventType: 'withdrawal', peerIp: '192.0.2.2', originAsn: null }), ev({ eventType: 'withdrawal', originAsn: null })];
    t.observe(w, validateEvents(w, index));
    expect(t.counts()).toMatchObject({ pairs: 1, valid: 0, invalid: 0, notFound: 1 });
  });

  it('re-validates against a new VRP set and reports changes; anomalies only for → invalid', () => {
    const t = new RouteTable();
    const batch = [ev({}), ev({ prefix: '198.51.100.0/24', originAsn: 7, peerIp: '192.0.2.9' }), ev({ prefix: '2001:db8::/32', prefixLength: 32, originAsn: 9 })];
    const before = idx([{ prefix: '203.0.113.0/24', maxLength: 24, asn: 64501 }]);
    t.observe(batch, validateEvents(batch, before));
    const after = idx([
      { prefix: '203.0.113.0/24', maxLength: 24, asn: 65000 },
      { prefix: '198.51.100.0/24', maxLength: 24, asn: 7 },
      { prefix: '2001:db8::/32', maxLength: 32, asn: 0 },
    ]);
    const changes = t.revalidate(after);
    expect(changes.map((c) => [c.prefix, c.previous, c.verdict])).toEqual([
      ['203.0.113.0/24', VERDICT.valid, VERDICT.invalidAsn],
      ['198.51.100.0/24', VERDICT.notFound, VERDICT.valid],
      ['2001:db8::/32', VERDICT.notFound, VERDICT.invalidAsn],
    ]);
    const anomalies = anomaliesFromChanges(changes, after, T + 5);
    expect(anomalies.map((a) => [a.prefix, a.severity, a.evidence.previous, a.dedupKey])).toEqual([
      ['203.0.113.0/24', 'high', 'valid', 'rpki_invalid|203.0.113.0/24|64501'],
      ['2001:db8::/32', 'medium', 'not_found', 'rpki_invalid|2001:db8::/32|9'],
    ]);
    expect(anomalies[0]!.evidence.covering_vrps).toEqual([{ prefix: '203.0.113.0/24', max_length: 24, asn: 65000 }]);
    expect(t.revalidate(after)).toEqual([]);
  });

  it('raises anomalies for new invalid routes inside watched prefixes only', () => {
    const index = idx([{ prefix: '203.0.0.0/16', maxLength: 24, asn: 1 }]);
    const { watch, rejected } = WatchList.parse('203.0.113.0/24, bogus, 2001:db8::/32');
    expect(rejected).toEqual(['bogus']);
    const t = new RouteTable();
    const batch = [ev({ originAsn: 2 }), ev({ prefix: '203.0.5.0/24', originAsn: 2 }), ev({ prefix: '203.0.113.128/25', prefixLength: 25, originAsn: 1, peerIp: '192.0.2.3' })];
    const appeared = t.observe(batch, validateEvents(batch, index));
    expect(anomaliesFromNewRoutes(appeared, watch, index).map((a) => [a.prefix, a.evidence.reason, a.evidence.trigger])).toEqual([
      ['203.0.113.0/24', 'as_mismatch', 'new_route_in_watched_prefix'],
      ['203.0.113.128/25', 'max_length', 'new_route_in_watched_prefix'],
    ]);
  });

  it('counts overflow instead of growing past its limit', () => {
    const t = new RouteTable({ maxPairs: 2, maxPeerRoutes: 10 });
    const batch = [ev({}), ev({ prefix: '198.51.100.0/24' }), ev({ prefix: '192.0.2.0/24' })];
    t.observe(batch, validateEvents(batch, VrpIndex.empty()));
    expect(t.counts()).toMatchObject({ pairs: 2, overflow: 1 });
  });
});
