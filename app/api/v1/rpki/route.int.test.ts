// The RPKI API against the real database: route handlers called directly with Request objects.

import '@/test/setup-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema } from '@/lib/api/contracts';
import { summaryResponseSchema, validityResponseSchema } from '@/lib/api/rpki-contracts';
import { closeDb } from '@/lib/db/client';
import { saveRpkiSourceSet, saveRpkiState } from '@/lib/db/rpki';
import { ROUTE_SUMMARY_KEY, type RouteSummary } from '@/lib/rpki/summary';
import { GET as summary } from '@/app/api/v1/rpki/summary/route';
import { GET as validity } from '@/app/api/v1/rpki/validity/route';
import { resetRpkiTables } from '@/test/helpers/rpki';

const clean = () => resetRpkiTables();
const call = (q: string) => validity(new Request(`http://localhost/api/v1/rpki/validity?${q}`));

beforeAll(async () => {
  await clean();
  await saveRpkiSourceSet({
    sourceId: 'rtr:127.0.0.1:8282', kind: 'rtr', serial: 42, sessionId: 7, generatedAtMs: null, loadedAtMs: Date.now() - 30_000, vrpCount: 3,
    vrps: { full: [{ prefix: '203.0.113.0/24', maxLength: 24, asn: 64501 }, { prefix: '203.0.0.0/16', maxLength: 20, asn: 64502 }, { prefix: '2001:db8::/32', maxLength: 48, asn: 64503 }] },
    aspas: [],
  });
});
afterAll(async () => {
  await clean();
  await closeDb();
});

describe('GET /api/v1/rpki/validity', () => {
  it.each([
    ['prefix=203.0.113.0/24&origin_asn=64501', 'valid', null, 2],
    ['prefix=203.0.113.0/24&origin_asn=64999', 'invalid', 'as_mismatch', 2],
    ['prefix=203.0.112.0/22&origin_asn=64502', 'invalid', 'max_length', 1],
    ['prefix=2001:db8:1::/48&origin_asn=64503', 'valid', null, 1],
    ['prefix=192.0.2.0/24&origin_asn=64501', 'not_found', null, 0],
  ])('%s → %s', async (q, state, reason, covering) => {
    const res = await call(q);
    expect(res.status).toBe(200);
    const body = validityResponseSchema.parse(await res.json());
    expect(body.data).toMatchObject({ state, reason });
    expect(body.data.covering_vrps).toHaveLength(covering);
  });

  it('says which covering VRP matched', async () => {
    const body = validityResponseSchema.parse(await (await call('prefix=203.0.113.0/24&origin_asn=64501')).json());
    expect(body.data.covering_vrps).toEqual([
      { prefix: '203.0.113.0/24', max_length: 24, asn: 64501, matches_origin: true, within_max_length: true },
      { prefix: '203.0.0.0/16', max_length: 20, asn: 64502, matches_origin: false, within_max_length: false },
    ]);
  });

  it.each([
    ['origin_asn=1', 'prefix: is required'],
    ['prefix=203.0.113.0/24', 'origin_asn: is required'],
    ['prefix=203.0.113.1/24&origin_asn=1', 'prefix: must be a CIDR prefix'],
    ['prefix=203.0.113.0/24&origin_asn=AS1', 'origin_asn: must be an AS number'],
    ['prefix=203.0.113.0/24&origin_asn=1&x=2', 'x: unknown parameter'],
  ])('400 for %s', async (q, message) => {
    const res = await call(q);
    expect(res.status).toBe(400);
    expect(apiErrorSchema.parse(await res.json()).error.message).toContain(message);
  });
});

describe('GET /api/v1/rpki/summary', () => {
  it('serves stored sources before the worker has published, all stale', async () => {
    const body = summaryResponseSchema.parse(await (await summary()).json());
    expect(body.data).toMatchObject({ routes: null, vrps: null, stale: true, updated_at: null });
    expect(body.data.sources).toEqual([expect.objectContaining({ id: 'rtr:127.0.0.1:8282', kind: 'rtr', serial: 42, vrp_count: 3, stale: true })]);
    expect(body.data.sources[0]!.age_seconds).toBeGreaterThanOrEqual(29);
  });

  it('merges the worker summary: counts, index and live source state', async () => {
    const now = Date.now();
    const s: RouteSummary = {
      counts: { pairs: 10, valid: 6, invalid: 1, notFound: 3, overflow: 0 },
      index: { vrps: 3, ipv4: 2, ipv6: 1, aspas: 0, version: 2, builtAtMs: now - 1000, buildMs: 1 },
      sources: [{ id: 'rtr:127.0.0.1:8282', kind: 'rtr', serial: 43, sessionId: 7, vrpCount: 3, aspaCount: 0, lastSuccessMs: now - 2000, lastErrorMs: null, lastError: null, stale: false }],
      revalidation: { lastMs: 12, lastAtMs: now, changed: 0 },
      anomalies: { raised: 0 },
      slurm: { file: '/etc/slurm.json', inForce: true, filters: 2, assertions: 1, filtered: 5, added: 1, loadedAtMs: now - 3000, lastError: 'x: bad', lastErrorMs: now - 1000 },
      updatedAtMs: now,
    };
    await saveRpkiState(ROUTE_SUMMARY_KEY, s);
    const body = summaryResponseSchema.parse(await (await summary()).json());
    expect(body.data.routes).toEqual({ visible_pairs: 10, valid: 6, invalid: 1, not_found: 3, untracked_overflow: 0 });
    expect(body.data.vrps).toMatchObject({ total: 3, ipv4: 2, ipv6: 1 });
    expect(body.data.stale).toBe(false);
    expect(body.data.sources[0]).toMatchObject({ serial: 43, stale: false, age_seconds: 2 });
    expect(body.data.slurm).toMatchObject({ file: '/etc/slurm.json', in_force: true, filters: 2, assertions: 1, filtered: 5, added: 1, last_error: 'x: bad' });
  });
});
