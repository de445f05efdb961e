import '@/test/setup-env';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { getRpkiState, listCoveringVrps, listRpkiSources, loadRpkiSourceSet, recordRpkiSourceError, saveRpkiSourceSet, saveRpkiState, upsertRpkiAnomalies } from '@/lib/db/rpki';
import { anomaliesFromChanges } from '@/lib/rpki/anomalies';
import { VERDICT, type Vrp } from '@/lib/rpki/types';
import { VrpIndex } from '@/lib/rpki/vrp-index';
import { syntheticVrps } from '@/lib/rpki/synthetic';
import { vrpKey } from '@/lib/rpki/rtr/session';
import { resetRpkiTables } from '@/test/helpers/rpki';

const clean = () => resetRpkiTables({ anomalies: true });
beforeEach(clean);
afterAll(async () => {
  await clean();
  await closeDb();
});

const meta = { sourceId: 'file:/x.json', kind: 'file' as const, serial: 1, sessionId: null, generatedAtMs: Date.UTC(2026, 10, 22), loadedAtMs: Date.UTC(2026, 10, 22, 1) };
const uniq = (vrps: Vrp[]) => [...new Map(vrps.map((v) => [vrpKey(v), v])).values()];

describe('RPKI persistence', () => {
  it('stores a full set, applies a delta, and loads it back exactly', async () => {
    const full = uniq(syntheticVrps(30_000, 3));
    await saveRpkiSourceSet({ ...meta, vrpCount: full.length, vrps: { full }, aspas: [{ customerAsn: 15562, providers: [2914, 8283] }] });
    const added = uniq(syntheticVrps(100, 4)).filter((v) => !full.some((x) => vrpKey(x) === vrpKey(v)));
    const removed = full.slice(0, 500);
    const next = [...full.slice(500), ...added];
    await saveRpkiSourceSet({ ...meta, serial: 2, vrpCount: next.length, vrps: { added, removed }, aspas: [] });
    const loaded = await loadRpkiSourceSet(meta.sourceId);
    expect(loaded!.vrps.map(vrpKey).sort()).toEqual(next.map(vrpKey).sort());
    expect(loaded!.source).toMatchObject({ serial: 2, vrpCount: next.length, kind: 'file', generatedAtMs: meta.generatedAtMs, loadedAtMs: meta.loadedAtMs, lastError: null });
    expect(loaded!.aspas).toEqual([]);
  });

  it('records errors without losing the set, and knows no set for unknown sources', async () => {
    await saveRpkiSourceSet({ ...meta, vrpCount: 1, vrps: { full: [{ prefix: '10.0.0.0/8', maxLength: 8, asn: 1 }] }, aspas: [{ customerAsn: 1, providers: [2, 3] }] });
    await recordRpkiSourceError(meta.sourceId, 'file', 'malformed JSON', Date.UTC(2026, 10, 22, 2));
    await recordRpkiSourceError('url:http://down', 'url', 'ECONNREFUSED', Date.UTC(2026, 10, 22, 2));
    const loaded = await loadRpkiSourceSet(meta.sourceId);
    expect(loaded!.vrps).toHaveLength(1);
    expect(loaded!.aspas).toEqual([{ customerAsn: 1, providers: [2, 3] }]);
    expect(loaded!.source).toMatchObject({ lastError: 'malformed JSON', lastErrorAtMs: Date.UTC(2026, 10, 22, 2) });
    expect(await loadRpkiSourceSet('url:http://down')).toBeNull();
    expect((await listRpkiSources()).map((s) => s.sourceId)).toEqual(['file:/x.json', 'url:http://down']);
  });

  it('lists covering VRPs across sources, most specific first, with the RFC 6811 verdict agreeing with the index', async () => {
    const a: Vrp[] = [{ prefix: '10.0.0.0/8', maxLength: 24, asn: 1 }, { prefix: '10.1.0.0/16', maxLength: 16, asn: 2 }, { prefix: '2001:db8::/32', maxLength: 48, asn: 3 }];
    const b: Vrp[] = [{ prefix: '10.1.0.0/16', maxLength: 16, asn: 2 }, { prefix: '10.1.2.0/24', maxLength: 24, asn: 0 }];
    await saveRpkiSourceSet({ ...meta, vrpCount: a.length, vrps: { full: a }, aspas: [] });
    await saveRpkiSourceSet({ ...meta, sourceId: 'rtr:127.0.0.1:1', kind: 'rtr', vrpCount: b.length, vrps: { full: b }, aspas: [] });
    const cov = await listCoveringVrps('10.1.2.0/24');
    expect(cov).toEqual([{ prefix: '10.1.2.0/24', maxLength: 24, asn: 0 }, { prefix: '10.1.0.0/16', maxLength: 16, asn: 2 }, { prefix: '10.0.0.0/8', maxLength: 24, asn: 1 }]);
    expect(VrpIndex.build([...a, ...b]).index.validate('10.1.2.0/24', 2).covering).toEqual(cov);
    expect(await listCoveringVrps('2001:db8:1::/48')).toEqual([{ prefix: '2001:db8::/32', maxLength: 48, asn: 3 }]);
    expect(await listCoveringVrps('192.0.2.0/24')).toEqual([]);
  });

  it('upserts rpki_invalid anomalies once per (prefix, origin) and stores state documents', async () => {
    const index = VrpIndex.build([{ prefix: '203.0.113.0/24', maxLength: 24, asn: 65000 }]).index;
    const change = { prefix: '203.0.113.0/24', origin: 64501, verdict: VERDICT.invalidAsn, previous: VERDICT.valid, lastSeenUs: 1 } as const;
    const rows = anomaliesFromChanges([change], index, Date.UTC(2026, 10, 22) * 1000);
    expect(await upsertRpkiAnomalies(rows)).toBe(1);
    // The same key twice in one call (two re-validations between flushes) is one row.
    expect(await upsertRpkiAnomalies([...rows, ...rows])).toBe(1);
    const r = await getPgPool().query("SELECT severity, status, prefix::text, origin_asn::text, evidence FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid'");
    expect(r.rows).toEqual([
      { severity: 'high', status: 'ongoing', prefix: '203.0.113.0/24', origin_asn: '64501', evidence: expect.objectContaining({ covering_vrps: [{ prefix: '203.0.113.0/24', max_length: 24, asn: 65000 }] }) },
    ]);
    await saveRpkiState('route_summary', { valid: 1 });
    await saveRpkiState('route_summary', { valid: 2 });
    expect((await getRpkiState('route_summary'))!.value).toEqual({ valid: 2 });
    expect(await getRpkiState('nope')).toBeNull();
  });
});
