import { describe, expect, it } from 'vitest';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import type { BgpEvent } from '@/lib/bgp/types';
import { parseServerFrame, type RisMessageData } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage, normalizeRisMessageDetailed, risTimestampToMicros } from '@/lib/sources/ris-live/normalize';
import { RIS_2026_ANNOUNCEMENT, RIS_2026_IPV6_DUAL_NEXT_HOP, RIS_2026_WITHDRAWAL } from '@/lib/sources/ris-live/samples';
import { itWithRisFixtures, readRisFixture } from '@/lib/sources/ris-live/test-fixtures';

function data(text: string): RisMessageData {
  const f = parseServerFrame(text, 1 << 20);
  if (f.kind !== 'ris_message') throw new Error(`not a ris_message: ${JSON.stringify(f)}`);
  return f.data;
}

function update(overrides: Record<string, unknown>): RisMessageData {
  const base = JSON.parse(RIS_2026_ANNOUNCEMENT) as { data: Record<string, unknown> };
  return data(JSON.stringify({ type: 'ris_message', data: { ...base.data, ...overrides } }));
}

describe('normalizeRisMessage: 2026 wire shape', () => {
  it('maps every field of an announcement', () => {
    const d = data(RIS_2026_ANNOUNCEMENT);
    const events = normalizeRisMessage(d, { storeRaw: true });
    const expected: BgpEvent = {
      source: 'ris_live_bgp',
      collector: 'rrc21',
      peerAsn: 50628,
      peerIp: '37.49.237.143',
      eventType: 'announcement',
      prefix: '173.82.228.0/24',
      prefixLength: 24,
      originAsn: 16509,
      asPath: [50628, 35280, 6453, 4637, 16509],
      asPathSetMask: null,
      asPathLength: 5,
      communities: ['6453:86', '6453:3000'],
      nextHop: '37.49.237.143',
      med: null,
      localPref: null,
      originAttribute: 'igp',
      aggregator: null,
      timestampUs: 1787141896080000,
      rawMessage: d,
      dedupKey: computeDedupKey({
        collector: 'rrc21',
        peerIp: '37.49.237.143',
        prefix: '173.82.228.0/24',
        eventType: 'announcement',
        timestampUs: 1787141896080000,
        asPath: [50628, 35280, 6453, 4637, 16509],
      }),
    };
    expect(events).toEqual([expected]);
    expect(events[0]!.rawMessage).toBe(d);
  });

  it('turns a pure withdrawal (empty arrays present) into one withdrawal with a canonical prefix', () => {
    const events = normalizeRisMessage(data(RIS_2026_WITHDRAWAL), { storeRaw: false });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: 'withdrawal',
      collector: 'rrc21',
      peerIp: '2001:7f8:54::1:143',
      peerAsn: 50628,
      prefix: '2a01:6e00::/48',
      prefixLength: 48,
      originAsn: null,
      asPath: [],
      asPathSetMask: null,
      asPathLength: 0,
      communities: [],
      nextHop: null,
      med: null,
      originAttribute: null,
      aggregator: null,
      timestampUs: 1787141896080000,
      rawMessage: null,
    });
  });

  it('emits each IPv6 prefix once although repeated per next hop, keeping the global next hop', () => {
    const events = normalizeRisMessage(data(RIS_2026_IPV6_DUAL_NEXT_HOP), { storeRaw: false });
    expect(events.map((e) => [e.prefix, e.nextHop])).toEqual([
      ['2605:de00:bb::/48', '2001:7f8:54::1:143'],
      ['2001:db8:1::/48', '2001:7f8:54::1:143'],
    ]);
    expect(events[0]).toMatchObject({
      originAsn: null, // final AS_SET of two members
      asPath: [50628, 6939, 64500, 64501],
      asPathSetMask: [false, false, true, true],
      asPathLength: 3,
      originAttribute: 'incomplete',
      med: 0,
      aggregator: '64500:192.0.2.1',
      timestampUs: 1787141897125000,
    });
  });

  it('keeps a link-local next hop when it is the only one', () => {
    const events = normalizeRisMessage(update({ announcements: [{ next_hop: 'FE80::1', prefixes: ['2001:db8::/32'] }] }), { storeRaw: false });
    expect(events.map((e) => e.nextHop)).toEqual(['fe80::1']);
  });

  it('handles announcements and withdrawals in one message', () => {
    const events = normalizeRisMessage(update({ withdrawals: ['10.0.0.0/8', '10.0.0.0/8', '2001:db8:0:0::/32'] }), { storeRaw: false });
    expect(events.map((e) => `${e.eventType} ${e.prefix}`)).toEqual([
      'announcement 173.82.228.0/24',
      'withdrawal 10.0.0.0/8',
      'withdrawal 2001:db8::/32',
    ]);
  });

  it('skips an unparseable prefix, keeps the rest and reports it', () => {
    const r = normalizeRisMessageDetailed(
      update({
        announcements: [{ next_hop: '37.49.237.143', prefixes: ['173.82.228.0/24', '173.82.999.0/24', '173.82.229.0/24'] }],
        withdrawals: ['garbage', '10.0.0.0/8'],
      }),
      { storeRaw: false },
    );
    expect(r.events.map((e) => e.prefix)).toEqual(['173.82.228.0/24', '173.82.229.0/24', '10.0.0.0/8']);
    expect(r.skipped).toEqual([
      { prefix: '173.82.999.0/24', eventType: 'announcement', reason: expect.stringMatching(/invalid prefix/) },
      { prefix: 'garbage', eventType: 'withdrawal', reason: expect.stringMatching(/invalid prefix/) },
    ]);
    expect(r.hostBitsZeroed).toBe(0);
  });

  it('zeroes host bits and counts them', () => {
    const r = normalizeRisMessageDetailed(update({ withdrawals: ['10.1.2.3/8', '2001:db8::1/32'] }), { storeRaw: false });
    expect(r.events.filter((e) => e.eventType === 'withdrawal').map((e) => e.prefix)).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(r.hostBitsZeroed).toBe(2);
    expect(r.skipped).toEqual([]);
  });

  it('accepts a numeric peer_asn, lower-cases origin and treats unknown origins as null', () => {
    expect(normalizeRisMessage(update({ peer_asn: 4200000000 }), { storeRaw: false })[0]!.peerAsn).toBe(4200000000);
    expect(normalizeRisMessage(update({ origin: 'EGP' }), { storeRaw: false })[0]!.originAttribute).toBe('egp');
    expect(normalizeRisMessage(update({ origin: '?' }), { storeRaw: false })[0]!.originAttribute).toBeNull();
    expect(normalizeRisMessage(update({ origin: undefined }), { storeRaw: false })[0]!.originAttribute).toBeNull();
  });

  it('gives no origin for an announcement with an empty path', () => {
    const [e] = normalizeRisMessage(update({ path: [] }), { storeRaw: false });
    expect(e).toMatchObject({ originAsn: null, asPath: [], asPathLength: 0 });
  });

  it('yields nothing for an UPDATE without prefixes and for other message types', () => {
    expect(normalizeRisMessage(update({ announcements: [], withdrawals: [] }), { storeRaw: true })).toEqual([]);
    const base = { timestamp: 1787141896.08, peer: '37.49.237.143', peer_asn: '50628', host: 'rrc21.ripe.net' };
    for (const extra of [
      { type: 'KEEPALIVE' },
      { type: 'RIS_PEER_STATE', state: 'down' },
      { type: 'OPEN', direction: 'sent', version: 4, asn: 12654, hold_time: 180, router_id: '193.0.4.28', capabilities: {} },
      { type: 'NOTIFICATION', notification: { code: 6, subcode: 5, data: '0605' } },
    ]) {
      expect(normalizeRisMessage(data(JSON.stringify({ type: 'ris_message', data: { ...base, ...extra } })), { storeRaw: true })).toEqual([]);
    }
  });
});

describe('risTimestampToMicros', () => {
  it('gives the exact integer microseconds of the decimal timestamp', () => {
    expect(risTimestampToMicros(1787141896.08)).toBe(1787141896080000);
    expect(risTimestampToMicros(1558620047.07)).toBe(1558620047070000);
    expect(risTimestampToMicros(1553627987.89)).toBe(1553627987890000);
    expect(risTimestampToMicros(1787141896.001)).toBe(1787141896001000);
    for (let us = 0; us < 1_000_000; us += 997) {
      const ts = Number(`1787141896.${String(us).padStart(6, '0')}`);
      expect(risTimestampToMicros(ts)).toBe(1787141896000000 + us);
    }
    // Sub-microsecond digits (not sent today) round to the nearest µs instead of leaking a fraction.
    expect(risTimestampToMicros(1.0000004)).toBe(1000000);
    expect(risTimestampToMicros(1.0000006)).toBe(1000001);
  });
});

describe('normalizeRisMessage on the real captures', () => {
  itWithRisFixtures('AS_SET origin with dual IPv6 next hop (morrowc fail-as-set)', () => {
    const [line] = readRisFixture('morrowc-rislive-fail-as-set.ndjson');
    const events = normalizeRisMessage(data(line!), { storeRaw: false });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      collector: 'rrc11',
      peerAsn: 2497,
      peerIp: '2001:504:1::a500:2497:1',
      prefix: '2607:ffc0:1000::/36',
      prefixLength: 36,
      nextHop: '2001:504:1::a500:2497:1',
      asPath: [2497, 6453, 18705, 26281, 13340],
      asPathSetMask: [false, false, false, false, true],
      asPathLength: 5,
      originAsn: 13340,
      originAttribute: 'incomplete',
      aggregator: '26281:10.1.0.33',
      timestampUs: 1573830861720000,
      communities: [],
    });
  });

  itWithRisFixtures('turns every prefix of the 1k firehose slice into exactly one event', () => {
    let expectedAnn = 0;
    let expectedWd = 0;
    const events: BgpEvent[] = [];
    let skipped = 0;
    for (const line of readRisFixture('morrowc-rislive-1k-msgs.ndjson')) {
      const d = data(line);
      if (d.type === 'UPDATE') {
        // Independent count: distinct prefix strings per message and type (2019 text is canonical).
        expectedAnn += new Set((d.announcements ?? []).flatMap((a) => a.prefixes)).size;
        expectedWd += new Set(d.withdrawals ?? []).size;
      }
      const r = normalizeRisMessageDetailed(d, { storeRaw: false });
      skipped += r.skipped.length + r.hostBitsZeroed;
      events.push(...r.events);
    }
    expect(skipped).toBe(0);
    expect(events.filter((e) => e.eventType === 'announcement')).toHaveLength(expectedAnn);
    expect(events.filter((e) => e.eventType === 'withdrawal')).toHaveLength(expectedWd);
    expect(expectedAnn + expectedWd).toBeGreaterThan(3000);
    for (const e of events) {
      expect(e.collector).toMatch(/^rrc\d\d$/);
      expect(Number.isSafeInteger(e.timestampUs) && e.timestampUs % 10_000 === 0).toBe(true); // 2 decimals
      expect(e.dedupKey).toMatch(/^-?\d+$/);
      if (e.eventType === 'announcement') expect(e.originAsn).not.toBeNull();
    }
    // Keys are unique except for genuine repeats (same peer, prefix, type, path and timestamp).
    const byKey = new Map<string, BgpEvent>();
    for (const e of events) {
      const prev = byKey.get(e.dedupKey);
      if (prev) expect([prev.collector, prev.peerIp, prev.prefix, prev.eventType, prev.timestampUs]).toEqual([e.collector, e.peerIp, e.prefix, e.eventType, e.timestampUs]);
      byKey.set(e.dedupKey, e);
    }
  });
});
