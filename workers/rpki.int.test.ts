import '@/test/setup-env';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { getRpkiState } from '@/lib/db/rpki';
import { getEnv } from '@/lib/env';
import { observeRpki } from '@/lib/rpki/observer';
import { ROUTE_SUMMARY_KEY, routeSummarySchema } from '@/lib/rpki/summary';
import { startRpkiService } from '@/workers/rpki';
import { makeTestEvent } from '@/test/helpers/db';
import { resetRpkiTables } from '@/test/helpers/rpki';
import { waitFor as until } from '@/test/helpers/wait';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-rpki-svc-'));
const file = path.join(dir, 'vrps.json');
const write = (roas: object[]) => writeFileSync(file, JSON.stringify({ roas }));

const clean = () => resetRpkiTables({ anomalies: true });
beforeAll(clean);
afterAll(async () => {
  await clean();
  rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

describe('RPKI service', () => {
  it('validates observed routes, re-validates on a VRP change and raises rpki_invalid anomalies', async () => {
    write([{ asn: 64501, prefix: '203.0.113.0/24', maxLength: 24 }]);
    const svc = await startRpkiService({ ...getEnv(), RPKI_RTR: undefined, RPKI_VRP_URL: undefined, RPKI_VRP_FILE: file, RPKI_VRP_REFRESH_S: 1, RPKI_WATCH_PREFIXES: '198.51.100.0/24' }, pino({ level: 'silent' }), { summaryEveryMs: 300 });
    try {
      await until('VRPs indexed', async () => {
        const s = await getRpkiState(ROUTE_SUMMARY_KEY);
        return s && routeSummarySchema.parse(s.value).index.vrps === 1;
      });
      observeRpki([
        makeTestEvent({}), // valid
        makeTestEvent({ prefix: '192.0.2.0/24', originAsn: 64999, peerIp: '192.0.2.7' }), // not found
        makeTestEvent({ prefix: '198.51.100.0/24', originAsn: 64666, peerIp: '192.0.2.8' }), // not found (watched)
      ]);
      const first = await until('counts published', async () => {
        const s = await getRpkiState(ROUTE_SUMMARY_KEY);
        const v = s && routeSummarySchema.parse(s.value);
        return v && v.counts.pairs === 3 && v;
      });
      expect(first.counts).toMatchObject({ valid: 1, notFound: 2, invalid: 0 });
      expect(first.sources).toEqual([expect.objectContaining({ kind: 'file', vrpCount: 1, stale: false })]);

      // The ROA changes hands: the valid route and the 192.0.2.0/24 one become invalid.
      write([{ asn: 65000, prefix: '203.0.113.0/24', maxLength: 24 }, { asn: 65000, prefix: '192.0.2.0/23', maxLength: 24 }]);
      const rows = await until('anomalies', async () => {
        const r = await getPgPool().query("SELECT prefix::text AS prefix, origin_asn::text AS origin, severity, evidence->>'previous' AS previous FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid' ORDER BY prefix");
        return r.rows.length === 2 && r.rows;
      });
      expect(rows).toEqual([
        { prefix: '192.0.2.0/24', origin: '64999', severity: 'medium', previous: 'not_found' },
        { prefix: '203.0.113.0/24', origin: '64501', severity: 'high', previous: 'valid' },
      ]);
      // A new invalid route inside the watched prefix raises one too.
      observeRpki([makeTestEvent({ prefix: '198.51.100.0/25', prefixLength: 25, originAsn: 1, peerIp: '192.0.2.9' })]);
      write([{ asn: 65000, prefix: '203.0.113.0/24', maxLength: 24 }, { asn: 65000, prefix: '192.0.2.0/23', maxLength: 24 }, { asn: 2, prefix: '198.51.100.0/24', maxLength: 24 }]);
      await until('index with 3 VRPs', async () => {
        const s = await getRpkiState(ROUTE_SUMMARY_KEY);
        return s && routeSummarySchema.parse(s.value).index.vrps === 3;
      });
      observeRpki([makeTestEvent({ prefix: '198.51.100.0/24', originAsn: 3, peerIp: '192.0.2.10' })]);
      await until('watched-prefix anomaly', async () => {
        const r = await getPgPool().query("SELECT 1 FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid' AND evidence->>'trigger' = 'new_route_in_watched_prefix'");
        return r.rows.length >= 1;
      });
      // The 203.0.113.0/24 ROA goes back to AS64501: that anomaly is resolved.
      write([{ asn: 64501, prefix: '203.0.113.0/24', maxLength: 24 }, { asn: 65000, prefix: '192.0.2.0/23', maxLength: 24 }, { asn: 2, prefix: '198.51.100.0/24', maxLength: 24 }]);
      const resolved = await until('resolved anomaly', async () => {
        const r = await getPgPool().query("SELECT status, ended_at IS NOT NULL AS ended FROM bgp_anomalies WHERE dedup_key = 'rpki_invalid|203.0.113.0/24|64501'");
        return r.rows[0]?.status === 'resolved' && r.rows[0];
      });
      expect(resolved).toEqual({ status: 'resolved', ended: true });
    } finally {
      await svc.stop();
    }
  });
});
