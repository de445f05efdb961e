// The MRT events builder takes shortcuts (attribute blocks recognised by their bytes and their
// route attributes reused, IPv4 dedup keys hashed from numbers, repeats found by comparing
// numbers): on real RIB and update files its events must equal those built the plain way, from
// every item's own decoded attributes through buildRouteEvent.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flattenAsPath, type RawAsPathElement } from '@/lib/bgp/as-path';
import { readMrt } from '@/lib/bgp/mrt/reader';
import { AS_SEGMENT, type MrtItem, type RoutePrefix } from '@/lib/bgp/mrt/types';
import { openMrtSource } from '@/lib/sources/mrt/open';
import { buildRouteEvent, mrtItemToEvents, withdrawalAttributes, type RouteAttributes, type RouteEventContext } from '@/lib/bgp/route-events';
import type { BgpEvent } from '@/lib/bgp/types';

const DATA = path.resolve(import.meta.dirname, '../../../shared/fixtures/mrt/bgpdump/test_data');
const FILES = ['bview.20020722.2337.gz', 'updates.20160811.1600.gz', 'bview.ipv6_unicast_add_path.gz', 'updates.20070211.0141.gz'];
const ORIGINS = ['igp', 'egp', 'incomplete'] as const;

function plainEvents(item: MrtItem, collector: string): BgpEvent[] {
  if (item.kind !== 'update' && item.kind !== 'rib') return [];
  const c: RouteEventContext = { source: 'bgpstream_bgp', collector, peerAsn: item.peerAsn, peerIp: item.peerIp, timestampUs: item.kind === 'update' ? item.collectorTimeUs : item.timestampUs, rawMessage: null };
  const a = item.attributes;
  const raw: RawAsPathElement[] = [];
  for (const s of a.asPath ?? []) {
    if (s.type === AS_SEGMENT.SEQUENCE) raw.push(...s.asns);
    else if (s.type === AS_SEGMENT.SET) raw.push(s.asns);
  }
  const communities = (a.communities ?? []).map((v) => `${Math.floor(v / 65536)}:${v % 65536}`);
  const l = a.largeCommunities ?? [];
  for (let i = 0; i + 2 < l.length; i += 3) communities.push(`${l[i]}:${l[i + 1]}:${l[i + 2]}`);
  const ra: RouteAttributes = {
    path: flattenAsPath(raw),
    communities,
    med: a.med,
    localPref: a.localPref,
    originAttribute: a.origin !== null ? (ORIGINS[a.origin] ?? null) : null,
    aggregator: a.aggregatorAsn !== null ? `${a.aggregatorAsn}:${a.aggregatorIp}` : null,
  };
  const hop = (p: RoutePrefix) => (p.afi === 2 ? a.mpNextHop : (a.nextHop ?? a.mpNextHop));
  const unicastOrMulticast = (p: RoutePrefix) => p.safi === 1 || p.safi === 2;
  if (item.kind === 'rib') return unicastOrMulticast(item.prefix) ? [buildRouteEvent(c, 'announcement', item.prefix.prefix, item.prefix.length, ra, hop(item.prefix))] : [];
  const out: BgpEvent[] = [];
  const seenA = new Set<string>();
  for (const p of item.announced) {
    if (!unicastOrMulticast(p) || seenA.has(p.prefix)) continue;
    seenA.add(p.prefix);
    out.push(buildRouteEvent(c, 'announcement', p.prefix, p.length, ra, hop(p)));
  }
  const seenW = new Set<string>();
  const w = withdrawalAttributes();
  for (const p of item.withdrawn) {
    if (!unicastOrMulticast(p) || seenW.has(p.prefix)) continue;
    seenW.add(p.prefix);
    out.push(buildRouteEvent(c, 'withdrawal', p.prefix, p.length, w, null));
  }
  return out;
}

describe('mrtItemToEvents on real files', () => {
  for (const name of FILES) {
    const file = path.join(DATA, name);
    it.skipIf(!existsSync(file))(`equals the plain construction: ${name}`, async () => {
      let events = 0;
      let n = 0;
      // Every second item is compared after the fast path ran on it, the others before, so a
      // cached block is met both decoded and undecoded.
      for await (const item of readMrt(await openMrtSource(file))) {
        const first = n++ % 2 === 0;
        const plainBefore = first ? plainEvents(item, 'rrc00') : null;
        const fast = mrtItemToEvents(item, { collector: 'rrc00', source: 'bgpstream_bgp', storeRaw: false });
        const plain = plainBefore ?? plainEvents(item, 'rrc00');
        expect(fast).toEqual(plain);
        events += fast.length;
      }
      expect(events).toBeGreaterThan(0);
    }, 60_000);
  }
  it.skipIf(existsSync(DATA))('(MRT fixtures not found: skipped)', () => {
    console.log(`MRT fixtures not found at ${DATA}`);
  });
});
