// GET /api/v1/bgp/prefixes/{prefix}/baseline against the real database (route handler called
// directly). Its events live in July 2020 hours no other file uses, removed afterwards.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixBaselineResponseSchema } from '@/lib/api/baseline-contracts';
import { aggregateHour, resetBaselines } from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { partitionForHour } from '@/lib/db/event-partition-bounds';
import { insertEventBatch } from '@/lib/db/events';
import { forgetKnownPartitions } from '@/lib/db/partitions';
import { makeTestEvent } from '@/test/helpers/db';
import { GET } from '@/app/api/v1/bgp/prefixes/[prefix]/baseline/route';

const HOUR_US = 3_600_000_000;
const H = Math.floor(Date.UTC(2020, 6, 1, 0) / 3_600_000);

async function call(segment: string, query = ''): Promise<{ status: number; body: unknown }> {
  const res = await GET(new Request(`http://localhost/api/v1/bgp/prefixes/${segment}/baseline${query}`), {
    params: Promise.resolve({ prefix: segment }),
  });
  return { status: res.status, body: await res.json() };
}

async function cleanup(): Promise<void> {
  for (const h of [H, H + 23]) await getPgPool().query(`DROP TABLE IF EXISTS "${partitionForHour(h).name}"`);
  forgetKnownPartitions();
  await resetBaselines();
}

beforeAll(async () => {
  await cleanup();
  await insertEventBatch([
    makeTestEvent({ prefix: '193.0.0.0/21', prefixLength: 21, asPath: [64500, 3333], asPathLength: 2, originAsn: 3333, timestampUs: H * HOUR_US + 60_000_000 }),
    makeTestEvent({ prefix: '193.0.0.0/21', prefixLength: 21, asPath: [64500, 3333], asPathLength: 2, originAsn: 3333, timestampUs: H * HOUR_US + 120_000_000 }),
    makeTestEvent({ prefix: '2001:db8::/32', prefixLength: 32, peerIp: '2001:db8::1', asPath: [64500, 65010], asPathLength: 2, originAsn: 65010, timestampUs: H * HOUR_US + 180_000_000 }),
  ]);
  await aggregateHour(H);
});

afterAll(async () => {
  await cleanup();
  await closeDb();
});

describe('GET /api/v1/bgp/prefixes/{prefix}/baseline', () => {
  it('answers the baseline of a URL-encoded prefix (default window 24h)', async () => {
    const r = await call('193.0.0.0%2F21');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { data } = prefixBaselineResponseSchema.parse(r.body);
    expect(data).toMatchObject({
      prefix: '193.0.0.0/21',
      window: '24h',
      window_start: new Date((H - 23) * 3_600_000).toISOString().replace('.000Z', '.000000Z'),
      window_end: new Date((H + 1) * 3_600_000).toISOString().replace('.000Z', '.000000Z'),
      hours_covered: 1,
      hours_seen: 1,
      announcements: 2,
      origins: [{ asn: 3333, count: 2, share: 1 }],
      links: [{ from: 64500, to: 3333, count: 2 }],
      links_total: 1,
      paths_total: 1,
      visibility: { peers: { median: 1, max: 1, mean: 1 } },
      rates: { announcements: { mean: 2, stddev: 0 } },
    });
  });

  it('IPv6 and the other windows; prefixes are canonicalised', async () => {
    // 7 d / 30 d are sums of whole days: aggregating the day's last hour ends it.
    expect((await call('2001:db8::%2F32', '?window=30d')).status).toBe(404);
    await insertEventBatch([makeTestEvent({ prefix: '192.0.2.0/24', prefixLength: 24, timestampUs: (H + 23) * HOUR_US })]);
    await aggregateHour(H + 23);
    const r = await call('2001:DB8:0:0::%2F32', '?window=30d');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(prefixBaselineResponseSchema.parse(r.body).data).toMatchObject({ prefix: '2001:db8::/32', window: '30d', origins: [{ asn: 65010 }] });
  });

  it('404 without a baseline, 400 on bad input', async () => {
    expect((await call('198.51.100.0%2F24')).status).toBe(404);
    const bad = await call('not-a-prefix');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_parameter', message: expect.stringMatching(/^prefix: /) } });
    expect(await call('193.0.0.0%2F21', '?window=1y')).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^window: /) } } });
    expect(await call('193.0.0.0%2F21', '?foo=1')).toMatchObject({ status: 400, body: { error: { message: 'foo: unknown parameter' } } });
    expect((await call('%E0%A4%A', '')).status).toBe(400);
  });
});
