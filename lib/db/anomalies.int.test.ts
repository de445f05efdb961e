import '@/test/setup-env';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { getAnomaly, listAnomalies, resolveAnomalies, upsertAnomalies } from '@/lib/db/anomalies';
import { InvalidCursorError } from '@/lib/db/event-cursor';
import type { Anomaly } from '@/lib/detect/types';

const T = Date.UTC(2026, 0, 1, 12) * 1000;

function anomaly(over: Partial<Anomaly> = {}): Anomaly {
  return {
    type: 'more_specific',
    entityKey: '208.65.153.0/24|17557',
    prefix: '208.65.153.0/24',
    baselineOrigins: [36561],
    originAsn: 17557,
    startedAtUs: T,
    confidence: 0.4,
    severity: 'high',
    summary: 'first',
    evidence: { peers: ['rrc00 192.0.2.1 AS64501'], collectors: ['rrc00'], samples: [{ collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 64501, atUs: T, asPath: [64501, 3491, 17557] }], details: { peers: 1 } },
    watched: false,
    dedupKey: 'more_specific|208.65.153.0/24|17557|490899',
    status: 'ongoing',
    endedAtUs: null,
    lastSeenUs: T,
    peakPeers: 1,
    ...over,
  };
}

async function clean(): Promise<void> {
  await getPgPool().query("DELETE FROM bgp_anomalies WHERE source = 'detector'");
}
beforeEach(clean);
afterAll(async () => {
  await clean();
  await closeDb();
});

describe('lib/db/anomalies', () => {
  it('upserts idempotently by dedup key and merges evidence (peers union, maxima, earliest start)', async () => {
    await upsertAnomalies([anomaly()]);
    await upsertAnomalies([anomaly()]);
    const later = anomaly({
      startedAtUs: T + 5e6,
      lastSeenUs: T + 9e6,
      confidence: 0.9,
      severity: 'critical',
      summary: 'second',
      peakPeers: 7,
      evidence: { peers: ['rrc01 192.0.2.2 AS64502', 'rrc00 192.0.2.1 AS64501'], collectors: ['rrc01'], samples: [], details: { peers: 7 } },
    });
    await upsertAnomalies([later]);
    await upsertAnomalies([anomaly({ confidence: 0.1, severity: 'low' })]); // an older, weaker replay lowers nothing
    const { data } = await listAnomalies({ limit: 10 });
    expect(data).toHaveLength(1);
    const a = data[0]!;
    expect(a).toMatchObject({ type: 'more_specific', prefix: '208.65.153.0/24', originAsn: 17557, baselineOrigins: [36561], severity: 'critical', confidence: 0.9, summary: 'second', startedAtUs: T, status: 'ongoing', peakPeers: 7, lastSeenUs: T + 9e6 });
    expect(a.evidence.peers.sort()).toEqual(['rrc00 192.0.2.1 AS64501', 'rrc01 192.0.2.2 AS64502']);
    expect(a.evidence.collectors.sort()).toEqual(['rrc00', 'rrc01']);
    expect(a.evidence.samples[0]?.asPath).toEqual([64501, 3491, 17557]);
    expect(await getAnomaly(a.id)).toEqual(a);
    const raw = await getPgPool().query('SELECT origin_asn::int, new_origin_asn::int FROM bgp_anomalies WHERE id = $1', [a.id]);
    expect(raw.rows[0]).toEqual({ origin_asn: 36561, new_origin_asn: 17557 });
  });

  it('resolves; a replayed ongoing state from before the end does not re-open, a later recurrence does', async () => {
    await upsertAnomalies([anomaly()]);
    expect(await resolveAnomalies([{ dedupKey: anomaly().dedupKey, endedAtUs: T + 60e6 }])).toBe(1);
    expect(await resolveAnomalies([{ dedupKey: anomaly().dedupKey, endedAtUs: T + 90e6 }])).toBe(0);
    await upsertAnomalies([anomaly({ lastSeenUs: T + 30e6 })]);
    let [a] = (await listAnomalies({ limit: 1 })).data;
    expect(a).toMatchObject({ status: 'resolved', endedAtUs: T + 60e6 });
    await upsertAnomalies([anomaly({ lastSeenUs: T + 120e6 })]);
    [a] = (await listAnomalies({ limit: 1 })).data;
    expect(a).toMatchObject({ status: 'ongoing', endedAtUs: null });
    await upsertAnomalies([anomaly({ status: 'resolved', endedAtUs: T + 200e6, lastSeenUs: T + 150e6 })]);
    [a] = (await listAnomalies({ limit: 1 })).data;
    expect(a).toMatchObject({ status: 'resolved', endedAtUs: T + 200e6 });
  });

  it('an acknowledged status sticks across re-detections', async () => {
    await upsertAnomalies([anomaly()]);
    await getPgPool().query("UPDATE bgp_anomalies SET status = 'acknowledged' WHERE dedup_key = $1", [anomaly().dedupKey]);
    await upsertAnomalies([anomaly({ lastSeenUs: T + 1e9 })]);
    expect((await listAnomalies({ limit: 1 })).data[0]?.status).toBe('acknowledged');
  });

  it('filters by severity, type, status, prefix (exact / inside), origin, time and pages with a cursor', async () => {
    const many: Anomaly[] = Array.from({ length: 25 }, (_, i) =>
      anomaly({
        type: i % 2 ? 'mass_withdrawal' : 'origin_change',
        entityKey: `e${i}`,
        dedupKey: `k${i}`,
        prefix: i % 5 === 0 ? null : `10.${i}.0.0/16`,
        originAsn: 100 + (i % 3),
        baselineOrigins: [200],
        severity: i % 4 === 0 ? 'critical' : 'medium',
        startedAtUs: T + i * 1e6,
        status: i < 5 ? 'resolved' : 'ongoing',
        endedAtUs: i < 5 ? T + 1e9 : null,
      }),
    );
    await upsertAnomalies(many);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAnomalies({ limit: 10, cursor });
      ids.push(...page.data.map((a) => a.entityKey));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(many.map((a) => a.entityKey).reverse());
    expect((await listAnomalies({ limit: 100, severity: ['critical'] })).data.map((a) => a.entityKey)).toEqual(['e24', 'e20', 'e16', 'e12', 'e8', 'e4', 'e0']);
    expect((await listAnomalies({ limit: 100, anomalyType: ['mass_withdrawal'], status: ['ongoing'] })).data).toHaveLength(10);
    expect((await listAnomalies({ limit: 100, prefix: '10.7.0.0/16' })).data.map((a) => a.entityKey)).toEqual(['e7']);
    expect((await listAnomalies({ limit: 100, prefix: '10.0.0.0/8', prefixMatch: 'more_specific' })).data).toHaveLength(20);
    // origin_change stores 200 as origin_asn and 100+ as new_origin_asn; mass_withdrawal the origin itself.
    expect((await listAnomalies({ limit: 100, originAsn: 200 })).data.every((a) => a.type === 'origin_change')).toBe(true);
    expect((await listAnomalies({ limit: 100, originAsn: 101 })).data.map((a) => a.entityKey).sort()).toEqual(['e1', 'e10', 'e13', 'e16', 'e19', 'e22', 'e4', 'e7']);
    expect((await listAnomalies({ limit: 100, timeFromUs: T + 20e6, timeToUs: T + 22e6 })).data.map((a) => a.entityKey)).toEqual(['e21', 'e20']);
    await expect(listAnomalies({ limit: 1, cursor: 'not-a-cursor!' })).rejects.toThrow(InvalidCursorError);
    expect(await getAnomaly('999999999')).toBeNull();
    expect(await getAnomaly('abc')).toBeNull();
  });
});
