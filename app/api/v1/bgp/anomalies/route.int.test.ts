// The anomalies API against the real database: rows written with upsertAnomalies, route handlers
// called with Request objects. The rows start in 2031 (event time), later than any other test's,
// so the open-ended windows (anchored on the newest anomaly) are this file's own.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomaliesPageSchema, anomalyResponseSchema, anomalySummaryResponseSchema, incidentsResponseSchema } from '@/lib/api/anomalies-contract';
import { apiErrorSchema } from '@/lib/api/contracts';
import { closeDb, getPgPool } from '@/lib/db/client';
import { upsertAnomalies } from '@/lib/db/anomalies';
import type { Anomaly } from '@/lib/detect/types';
import { GET as listRoute } from '@/app/api/v1/bgp/anomalies/route';
import { GET as getRoute } from '@/app/api/v1/bgp/anomalies/[id]/route';
import { GET as summaryRoute } from '@/app/api/v1/bgp/anomalies/summary/route';
import { GET as incidentsRoute } from '@/app/api/v1/bgp/incidents/route';

const TAG = `apitest${process.pid}`;
const T = Date.UTC(2031, 4, 1, 12) * 1000;
const MIN = 60e6;

function anomaly(i: number, over: Partial<Anomaly> = {}): Anomaly {
  return {
    type: 'origin_change',
    entityKey: `x|${i}`,
    prefix: '203.0.113.0/24',
    baselineOrigins: [64500],
    originAsn: 64666,
    startedAtUs: T + i * MIN,
    confidence: 0.8,
    severity: 'high',
    summary: `anomaly ${i}`,
    evidence: {
      peers: ['rrc00 192.0.2.1 AS64501', 'rrc01 192.0.2.2 AS64502'],
      collectors: ['rrc00', 'rrc01'],
      samples: [{ collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 64501, atUs: T + i * MIN + 5, asPath: [64501, 3356, 64666] }],
      details: { peers: 2, share: 0.4 },
    },
    watched: false,
    dedupKey: `${TAG}|${i}`,
    status: 'ongoing',
    endedAtUs: null,
    lastSeenUs: T + i * MIN + 10,
    peakPeers: 2,
    ...over,
  };
}

const ROWS: Anomaly[] = [
  anomaly(0, { severity: 'critical', watched: true }),
  anomaly(1, { type: 'more_specific', prefix: '203.0.113.128/25', entityKey: 'ms|1' }),
  anomaly(2, { type: 'visibility_drop', prefix: '198.51.100.0/24', severity: 'medium', baselineOrigins: [], originAsn: 64777, status: 'resolved', endedAtUs: T + 3 * MIN, lastSeenUs: T + 3 * MIN }),
  anomaly(3, { type: 'path_deviation', prefix: '2001:db8:77::/48', severity: 'low', baselineOrigins: [], originAsn: 64888, confidence: 0.2 }),
  // Ten hours later: outside a 1h window ending at the newest, and its own incident.
  anomaly(600, { type: 'mass_withdrawal', prefix: null, severity: 'high', baselineOrigins: [], originAsn: 64999, entityKey: 'AS64999' }),
];

async function call(route: (r: Request) => Promise<Response>, path: string): Promise<{ status: number; body: unknown }> {
  const res = await route(new Request(`http://localhost${path}`));
  return { status: res.status, body: await res.json() };
}

// Every list query of this file is limited to its own rows by the time range.
const RANGE = `time_from=${new Date(T / 1000 - 1000).toISOString()}&time_to=${(T + 700 * MIN) / 1e6}`;
async function list(query: string) {
  const r = await call(listRoute, `/api/v1/bgp/anomalies?${RANGE}&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return anomaliesPageSchema.parse(r.body);
}
const summaries = (page: { data: { summary: string }[] }) => page.data.map((a) => a.summary);

async function clean() {
  await getPgPool().query('DELETE FROM bgp_anomalies WHERE dedup_key LIKE $1', [`${TAG}|%`]);
}

beforeAll(async () => {
  await clean();
  expect(await upsertAnomalies(ROWS)).toBe(ROWS.length);
});
afterAll(async () => {
  await clean();
  await closeDb();
});

describe('GET /api/v1/bgp/anomalies', () => {
  it('lists newest first in the AnomalyDto shape', async () => {
    const page = await list('');
    expect(summaries(page)).toEqual(['anomaly 600', 'anomaly 3', 'anomaly 2', 'anomaly 1', 'anomaly 0']);
    expect(page.next_cursor).toBeNull();
    const first = page.data.find((a) => a.summary === 'anomaly 0')!;
    expect(first).toMatchObject({ type: 'origin_change', severity: 'critical', status: 'ongoing', prefix: '203.0.113.0/24', originAsn: 64666, baselineOrigins: [64500], watched: true, peakPeers: 2, source: 'detector' });
    expect(first.startedAt).toBe('2031-05-01T12:00:00.000000Z');
    expect(first.evidence.samples[0]).toEqual({ collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 64501, at: '2031-05-01T12:00:00.000005Z', asPath: [64501, 3356, 64666] });
  });

  it('filters by comma-separated severity, type and status lists', async () => {
    expect(summaries(await list('severity=critical,low'))).toEqual(['anomaly 3', 'anomaly 0']);
    expect(summaries(await list('anomaly_type=visibility_drop,mass_withdrawal'))).toEqual(['anomaly 600', 'anomaly 2']);
    expect(summaries(await list('status=resolved'))).toEqual(['anomaly 2']);
    expect(summaries(await list('status=ongoing&severity=high'))).toEqual(['anomaly 600', 'anomaly 1']);
  });

  it('filters by prefix (exact, more specific), origin ASN (either side of a hijack) and watched', async () => {
    expect(summaries(await list('prefix=203.0.113.0/24'))).toEqual(['anomaly 0']);
    expect(summaries(await list('prefix=203.0.113.0/24&prefix_match=more_specific'))).toEqual(['anomaly 1', 'anomaly 0']);
    expect(summaries(await list('prefix=2001:DB8:77:0::/48'))).toEqual(['anomaly 3']);
    expect(summaries(await list('origin_asn=64500'))).toEqual(['anomaly 1', 'anomaly 0']);
    expect(summaries(await list('origin_asn=64777'))).toEqual(['anomaly 2']);
    expect(summaries(await list('watched=true'))).toEqual(['anomaly 0']);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...summaries(page));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['anomaly 600', 'anomaly 3', 'anomaly 2', 'anomaly 1', 'anomaly 0']);
  });

  it.each([
    ['severity=urgent', /^severity: unknown value "urgent"/],
    ['severity=', /^severity: must list one or more/],
    ['anomaly_type=hijack', /^anomaly_type: unknown value "hijack"/],
    ['status=open', /^status: unknown value/],
    ['prefix=10.0.0.1/8', /^prefix: must be a CIDR prefix/],
    ['prefix_match=more_specific', /^prefix_match: needs a prefix/],
    ['prefix=10.0.0.0/8&prefix_match=covering', /^prefix_match: must be one of exact, more_specific/],
    ['origin_asn=AS1', /^origin_asn: must be an AS number/],
    ['time_from=yesterday', /^time_from: must be ISO-8601/],
    ['time_from=2031-01-02&time_to=2031-01-01', /^time_from: must not be after time_to/],
    ['limit=0', /^limit: must be an integer 1..1000/],
    ['cursor=not-a-cursor', /^cursor: /],
    ['severity=high&severity=low', /^severity: given more than once/],
    ['colour=red', /^colour: unknown parameter/],
  ])('rejects %s with 400 and a clear message', async (query, message) => {
    const r = await call(listRoute, `/api/v1/bgp/anomalies?${query}`);
    expect(r.status).toBe(400);
    const body = apiErrorSchema.parse(r.body);
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toMatch(message);
  });
});

describe('GET /api/v1/bgp/anomalies/{id}', () => {
  const get = (id: string) => getRoute(new Request(`http://localhost/api/v1/bgp/anomalies/${id}`), { params: Promise.resolve({ id }) });

  it('answers one anomaly with its evidence', async () => {
    const id = (await list('severity=critical')).data[0]!.id;
    const res = await get(id);
    expect(res.status).toBe(200);
    const a = anomalyResponseSchema.parse(await res.json()).data;
    expect(a).toMatchObject({ id, summary: 'anomaly 0', evidence: { collectors: ['rrc00', 'rrc01'], details: { peers: 2, share: 0.4 } } });
    expect(a.evidence.peers.sort()).toEqual(['rrc00 192.0.2.1 AS64501', 'rrc01 192.0.2.2 AS64502']);
  });

  it('404s an unknown id and 400s a malformed one, in the error envelope', async () => {
    const missing = await get('999999999999');
    expect(missing.status).toBe(404);
    expect(apiErrorSchema.parse(await missing.json()).error).toEqual({ code: 'not_found', message: 'id: no anomaly 999999999999' });
    const bad = await get('abc');
    expect(bad.status).toBe(400);
    expect(apiErrorSchema.parse(await bad.json()).error.message).toMatch(/^id: must be an anomaly id/);
  });
});

describe('GET /api/v1/bgp/anomalies/summary', () => {
  const summary = async (q: string) => {
    const r = await call(summaryRoute, `/api/v1/bgp/anomalies/summary?${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return anomalySummaryResponseSchema.parse(r.body).data;
  };

  it('counts by type, severity and status over an explicit range', async () => {
    const s = await summary(RANGE);
    expect(s.total).toBe(5);
    expect(s.watched_ongoing).toBe(1);
    expect(s.by_type).toEqual({ origin_change: 1, more_specific: 1, mass_withdrawal: 1, path_deviation: 1, visibility_drop: 1, rpki_invalid: 0 });
    expect(s.by_severity).toEqual({ critical: 1, high: 2, medium: 1, low: 1 });
    expect(s.by_status).toEqual({ ongoing: 4, resolved: 1, withdrawn: 0, acknowledged: 0, ignored: 0 });
  });

  it('anchors a named window on the newest anomaly (event time, not the wall clock)', async () => {
    const s = await summary('window=1h');
    expect(s.window_end).toBe('2031-05-01T22:00:00.000001Z');
    expect(s.total).toBe(1);
    expect(s.by_type.mass_withdrawal).toBe(1);
    expect((await summary('window=24h')).total).toBe(5);
  });

  it('rejects a bad window', async () => {
    for (const [q, msg] of [
      ['window=2w', /^window: must be one of 1h, 6h, 24h, 7d, 30d/],
      ['window=24h&time_from=2031-01-01', /^window: give either window or time_from/],
      ['time_to=soon', /^time_to: must be ISO-8601/],
    ] as const) {
      const r = await call(summaryRoute, `/api/v1/bgp/anomalies/summary?${q}`);
      expect(r.status).toBe(400);
      expect(apiErrorSchema.parse(r.body).error.message).toMatch(msg);
    }
  });
});

describe('GET /api/v1/bgp/incidents', () => {
  it('correlates the window into incidents with a summary sentence and anomaly ids', async () => {
    const r = await call(incidentsRoute, `/api/v1/bgp/incidents?${RANGE}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = incidentsResponseSchema.parse(r.body);
    expect(body.truncated).toBe(false);
    const ids = new Map((await list('')).data.map((a) => [a.summary, a.id]));
    // 0 and 1 share origin AS64666 and the prefix tree; the others stand alone.
    const hijack = body.data.find((i) => i.anomaly_ids.includes(ids.get('anomaly 0')!))!;
    expect(hijack.severity).toBe('critical');
    expect(hijack.anomaly_ids.sort()).toEqual([ids.get('anomaly 0'), ids.get('anomaly 1')].sort());
    expect(hijack.summary).toMatch(/1 origin change, 1 more-specific sharing/);
    expect(body.data[0]).toBe(body.data.find((i) => i.severity === 'critical'));
    const grouped = (await call(incidentsRoute, `/api/v1/bgp/incidents?${RANGE}&min_anomalies=2`)).body;
    expect(incidentsResponseSchema.parse(grouped).data.map((i) => i.id)).toEqual([hijack.id]);
  });

  it('rejects a bad min_anomalies', async () => {
    const r = await call(incidentsRoute, '/api/v1/bgp/incidents?min_anomalies=0');
    expect(r.status).toBe(400);
    expect(apiErrorSchema.parse(r.body).error.message).toMatch(/^min_anomalies: must be an integer/);
  });
});
