import { describe, expect, it } from 'vitest';
import {
  apiBgpEventSchema,
  parseEventId,
  parseEventsQuery,
  parseTimeToMicros,
  streamFeedEventSchema,
} from '@/lib/api/contracts';

const q = (s: string) => parseEventsQuery(new URLSearchParams(s));

describe('parseEventsQuery', () => {
  it('defaults to limit 100 and no filters', () => {
    expect(q('')).toEqual({ ok: true, value: { limit: 100 } });
  });

  it('maps every parameter to the EventFilter, canonicalising the prefix', () => {
    const r = q(
      'prefix=2605:DE00:BB:0:0:0:0:0/48&prefix_match=covering&origin_asn=4200000000&peer_asn=0' +
        '&collector=rrc21&event_type=withdrawal&source=ris_live_bgp' +
        '&time_from=2026-11-22T10:00:00.123456Z&time_to=1796000000.5&cursor=abc_-1&limit=1000',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        prefix: '2605:de00:bb::/48',
        prefixMatch: 'covering',
        originAsn: 4_200_000_000,
        peerAsn: 0,
        collector: 'rrc21',
        eventType: 'withdrawal',
        source: 'ris_live_bgp',
        timeFromUs: Date.UTC(2026, 10, 22, 10, 0, 0, 123) * 1000 + 456,
        timeToUs: 1_796_000_000_500_000,
        cursor: 'abc_-1',
        limit: 1000,
      },
    });
  });

  it('uses exact prefix matching unless told otherwise', () => {
    expect(q('prefix=192.0.2.0/24')).toEqual({ ok: true, value: { limit: 100, prefix: '192.0.2.0/24', prefixMatch: 'exact' } });
  });

  it.each([
    ['prefix=10.1.2.3/8', /^prefix: .*host bits/],
    ['prefix=banana', /^prefix: must be a CIDR prefix/],
    ['prefix=10.0.0.0/33', /^prefix: /],
    ['prefix_match=covering', /^prefix_match: needs a prefix/],
    ['prefix=10.0.0.0/8&prefix_match=wider', /^prefix_match: must be one of exact, covering, more_specific/],
    ['origin_asn=4294967296', /^origin_asn: must be an AS number/],
    ['origin_asn=-1', /^origin_asn: /],
    ['peer_asn=AS3356', /^peer_asn: /],
    ['peer_asn=', /^peer_asn: /],
    ['collector=rrc21;drop', /^collector: /],
    ['event_type=update', /^event_type: must be one of announcement, withdrawal/],
    ['source=mrt', /^source: must be one of ris_live_bgp, bgpstream_bgp/],
    ['time_from=yesterday', /^time_from: must be ISO-8601/],
    ['time_to=2026-02-31', /^time_to: /],
    ['time_from=2026-11-22T12:00:00Z&time_to=2026-11-22T11:00:00Z', /^time_from: must not be after time_to/],
    ['cursor=', /^cursor: /],
    ['cursor=%00%01', /^cursor: /],
    ['limit=0', /^limit: must be an integer 1\.\.1000/],
    ['limit=1001', /^limit: /],
    ['limit=ten', /^limit: /],
    ['color=blue', /^color: unknown parameter/],
    ['limit=5&limit=6', /^limit: given more than once/],
  ])('rejects %s with a message naming the parameter', (query, message) => {
    const r = q(query);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('parseTimeToMicros', () => {
  it('reads unix seconds with up to microsecond fractions', () => {
    expect(parseTimeToMicros('1787141896.080')).toBe(1_787_141_896_080_000);
    expect(parseTimeToMicros('0')).toBe(0);
  });

  it('reads ISO-8601 with offsets, no offset meaning UTC', () => {
    expect(parseTimeToMicros('2026-11-22T10:00:00Z')).toBe(Date.UTC(2026, 10, 22, 10) * 1000);
    expect(parseTimeToMicros('2026-11-22T10:00:00')).toBe(Date.UTC(2026, 10, 22, 10) * 1000);
    expect(parseTimeToMicros('2026-11-22T12:00:00+02:00')).toBe(Date.UTC(2026, 10, 22, 10) * 1000);
    expect(parseTimeToMicros('2026-11-22T12:00+0200')).toBe(Date.UTC(2026, 10, 22, 10) * 1000);
    expect(parseTimeToMicros('2026-11-22')).toBe(Date.UTC(2026, 10, 22) * 1000);
  });

  it('rejects what is neither', () => {
    for (const bad of ['', 'now', '2026-13-01', '2026-11-22T25:00:00Z', '1e9', '12:00']) {
      expect(parseTimeToMicros(bad), bad).toBeNull();
    }
  });
});

describe('parseEventId', () => {
  it('accepts <timestamp µs>_<dedup key> ids and rejects anything else', () => {
    expect(parseEventId('1787141896080000_-42')).toEqual({ ok: true, value: '1787141896080000_-42' });
    expect(parseEventId('1_9223372036854775807').ok).toBe(true);
    for (const bad of ['42', '-1_1', 'abc', '1_9223372036854775808', '1_', '_1', '1.5_1', '1_2_3']) {
      const r = parseEventId(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^id: /);
    }
  });
});

describe('response schemas', () => {
  const event = {
    id: '1',
    source: 'ris_live_bgp',
    collector: 'rrc21',
    peer_asn: 50628,
    peer_ip: '37.49.237.143',
    event_type: 'announcement',
    prefix: '173.82.228.0/24',
    prefix_length: 24,
    origin_asn: 16509,
    as_path: [50628, 35280, 6453, 4637, 16509],
    as_path_set_mask: null,
    as_path_length: 5,
    communities: ['6453:86'],
    next_hop: '37.49.237.143',
    med: null,
    local_pref: null,
    origin_attribute: 'igp',
    aggregator: null,
    timestamp: '2026-08-19T05:38:16.080000Z',
    raw_message: null,
    dedup_key: '123',
    ingested_at: '2026-08-19T05:38:16.500Z',
  };

  it('accepts an API event and a stream payload without a feed yet', () => {
    expect(apiBgpEventSchema.safeParse(event).success).toBe(true);
    expect(streamFeedEventSchema.safeParse({ feed: null, latest: [event] }).success).toBe(true);
  });

  it('rejects events with a wrong type or a non-UTC timestamp', () => {
    expect(apiBgpEventSchema.safeParse({ ...event, event_type: 'update' }).success).toBe(false);
    expect(apiBgpEventSchema.safeParse({ ...event, timestamp: '2026-08-19 05:38' }).success).toBe(false);
  });
});
