// The events API against the real database: route handlers called directly with Request objects.
// Every row this file writes uses its own collector name, and every query filters on it, so the
// file neither needs an empty database nor disturbs other files' data.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventResponseSchema, eventsPageSchema } from '@/lib/api/contracts';
import type { ApiBgpEvent } from '@/lib/api/types';
import type { BgpEvent } from '@/lib/bgp/types';
import { closeDb } from '@/lib/db/client';
import { insertEventBatch } from '@/lib/db/events';
import { parseServerFrame } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage } from '@/lib/sources/ris-live/normalize';
import { GET as getEvent } from '@/app/api/v1/bgp/events/[id]/route';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { GET as listRoute } from '@/app/api/v1/bgp/events/route';
import { makeTestEvent } from '@/test/helpers/db';

const COLLECTOR = `apitest${process.pid}${Date.now() % 100_000}`;
// A recent hour: the hot window keeps only recent partitions.
const BASE_US = (Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000) * 1000;

const makeEvent = (i: number, over: Partial<BgpEvent> = {}): BgpEvent =>
  makeTestEvent({ collector: COLLECTOR, originAsn: 64510, asPath: [64500, 64505, 64510], timestampUs: BASE_US + i * 1_000_123, ...over });

const EVENTS: BgpEvent[] = [
  makeEvent(0, { prefix: '10.0.0.0/8', prefixLength: 8, originAsn: 64511 }),
  makeEvent(1, { prefix: '10.1.0.0/16', prefixLength: 16 }),
  makeEvent(2, { prefix: '10.1.2.0/24', prefixLength: 24, peerAsn: 64501, peerIp: '192.0.2.2' }),
  makeEvent(3, { prefix: '10.1.2.0/24', prefixLength: 24, eventType: 'withdrawal', originAsn: null, asPath: [], asPathLength: 0, communities: [], nextHop: null }),
  makeEvent(4, { prefix: '10.2.0.0/16', prefixLength: 16, source: 'bgpstream_bgp' }),
  makeEvent(5, { prefix: '2001:db8::/32', prefixLength: 32, peerIp: '2001:db8::1', nextHop: '2001:db8::1' }),
  makeEvent(6, { prefix: '2001:db8:1::/48', prefixLength: 48, peerIp: '2001:db8::1', nextHop: '2001:db8::1', originAsn: 4_200_000_000, asPath: [64500, 4_200_000_000], asPathLength: 2 }),
];

async function call(query: string): Promise<{ status: number; body: unknown }> {
  const res = await listRoute(new Request(`http://localhost/api/v1/bgp/events?${query}`));
  return { status: res.status, body: await res.json() };
}

async function list(query: string): Promise<ApiBgpEvent[]> {
  const r = await call(`collector=${COLLECTOR}&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return eventsPageSchema.parse(r.body).data;
}

const prefixes = (rows: ApiBgpEvent[]) => rows.map((r) => r.prefix).sort();

beforeAll(async () => {
  const r = await insertEventBatch(EVENTS);
  expect(r.inserted + r.duplicates).toBe(EVENTS.length);
});

afterAll(async () => {
  await closeDb();
});

describe('GET /api/v1/bgp/events', () => {
  it('lists the rows newest first in the snake_case wire shape', async () => {
    const rows = await list('');
    expect(rows).toHaveLength(EVENTS.length);
    expect(rows.map((r) => r.timestamp)).toEqual([...rows.map((r) => r.timestamp)].sort().reverse());
    const v6 = rows.find((r) => r.prefix === '2001:db8:1::/48');
    expect(v6).toMatchObject({
      source: 'ris_live_bgp',
      collector: COLLECTOR,
      peer_ip: '2001:db8::1',
      event_type: 'announcement',
      prefix_length: 48,
      origin_asn: 4_200_000_000,
      as_path: [64500, 4_200_000_000],
      as_path_length: 2,
    });
    expect(v6?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('filters by prefix: exact (canonicalised input), covering and more specific', async () => {
    expect(prefixes(await list('prefix=10.1.2.0/24'))).toEqual(['10.1.2.0/24', '10.1.2.0/24']);
    expect(prefixes(await list('prefix=2001:DB8:0:0:0:0:0:0/32'))).toEqual(['2001:db8::/32']);
    expect(prefixes(await list('prefix=10.1.2.0/24&prefix_match=covering'))).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/24']);
    expect(prefixes(await list('prefix=10.1.0.0/16&prefix_match=more_specific'))).toEqual(['10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/24']);
    expect(prefixes(await list('prefix=2001:db8::/32&prefix_match=more_specific'))).toEqual(['2001:db8:1::/48', '2001:db8::/32']);
    expect(await list('prefix=192.0.2.0/24')).toEqual([]);
  });

  it('filters by origin, peer, type, source and time', async () => {
    expect(prefixes(await list('origin_asn=64511'))).toEqual(['10.0.0.0/8']);
    expect(prefixes(await list('origin_asn=4200000000'))).toEqual(['2001:db8:1::/48']);
    expect(prefixes(await list('peer_asn=64501'))).toEqual(['10.1.2.0/24']);
    expect((await list('event_type=withdrawal')).map((r) => r.event_type)).toEqual(['withdrawal']);
    expect(prefixes(await list('source=bgpstream_bgp'))).toEqual(['10.2.0.0/16']);
    // Events 1..3 (inclusive bounds), once as unix seconds and once as ISO-8601.
    const fromS = ((BASE_US + 1_000_123) / 1e6).toFixed(6);
    const toS = ((BASE_US + 3 * 1_000_123) / 1e6).toFixed(6);
    expect(await list(`time_from=${fromS}&time_to=${toS}`)).toHaveLength(3);
    const fromIso = new Date((BASE_US + 1_000_123 - 123) / 1000).toISOString();
    expect(await list(`time_from=${encodeURIComponent(fromIso)}`)).toHaveLength(EVENTS.length - 1);
  });

  it('pages with the cursor without losing or repeating rows', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await call(`collector=${COLLECTOR}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      const page = eventsPageSchema.parse(r.body);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(EVENTS.length);
    expect(seen).toEqual((await list('')).map((e) => e.id));
  });

  it.each([
    ['prefix=10.1.2.3/8', 'prefix'],
    ['prefix=not-a-prefix', 'prefix'],
    ['prefix=10.0.0.0/8&prefix_match=around', 'prefix_match'],
    ['origin_asn=4294967296', 'origin_asn'],
    ['peer_asn=-5', 'peer_asn'],
    ['collector=%3Cscript%3E', 'collector'],
    ['event_type=open', 'event_type'],
    ['source=mrt', 'source'],
    ['time_from=tomorrow', 'time_from'],
    ['time_to=2026-99-01', 'time_to'],
    ['time_from=2000&time_to=1000', 'time_from'],
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['cursor=AAAA', 'cursor'],
    ['cursor=%25%25', 'cursor'],
    ['verbose=1', 'verbose'],
  ])('answers 400 naming the parameter for %s', async (query, param) => {
    const r = await call(query);
    expect(r.status).toBe(400);
    const body = r.body as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message.startsWith(`${param}: `), body.error.message).toBe(true);
  });
});

describe('GET /api/v1/bgp/events/{id}', () => {
  const get = (id: string) => getEvent(new Request(`http://localhost/api/v1/bgp/events/${id}`), { params: Promise.resolve({ id }) });

  it('returns one event by id', async () => {
    const [first] = await list('prefix=10.0.0.0/8');
    expect(first).toBeDefined();
    const res = await get(first!.id);
    expect(res.status).toBe(200);
    expect(eventResponseSchema.parse(await res.json()).data).toEqual(first);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await get('1787141896080000_9223372036854775000');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await get('abc');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'invalid_parameter', message: 'id: must be an event id as returned by this API (<timestamp µs>_<dedup key>)' },
    });
    expect((await get('12345')).status).toBe(400);
  });

  it('serves a real RIS Live capture with an AS_SET exactly as normalized', async (ctx) => {
    const file = path.resolve(import.meta.dirname, '../../../../../../shared/fixtures/ris-live/morrowc-rislive-fail-as-set.ndjson');
    if (!existsSync(file)) ctx.skip(`fixture not found at ${file}`);
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.includes('ris_message'));
    const frame = parseServerFrame(line ?? '', 1 << 20);
    if (frame.kind !== 'ris_message') throw new Error(`fixture did not parse: ${JSON.stringify(frame)}`);
    // Re-home the event to this file's collector and a recent time so it lands in the hot window.
    const events = normalizeRisMessage(frame.data, { storeRaw: true }).map((e, i) => {
      const moved = { ...e, collector: COLLECTOR, timestampUs: BASE_US + 50_000_000 + i };
      return { ...moved, dedupKey: computeDedupKey(moved) };
    });
    expect(events.length).toBeGreaterThan(0);
    await insertEventBatch(events);
    const rows = await list(`prefix=${encodeURIComponent(events[0]!.prefix)}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      prefix: '2607:ffc0:1000::/36',
      origin_asn: 13340,
      as_path: [2497, 6453, 18705, 26281, 13340],
      as_path_set_mask: [false, false, false, false, true],
      aggregator: '26281:10.1.0.33',
      origin_attribute: 'incomplete',
    });
    expect(rows[0]!.raw_message).not.toBeNull();
  });
});
