// Visibility from a real RIB dump (RIPE RIS rrc00 bview of 2002-07-22 23:37, TABLE_DUMP): the
// backfill records who carries each prefix at the dump time, later updates move those peer sets
// as hours are aggregated, and the hour's peers / collectors count carriers, not only the peers
// that sent updates. bgpdump's reading of the same file is the oracle for the peer sets.

import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBackfillInline } from '@/lib/backfill/inline';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { aggregateHour, listPrefixHourStats, resetBaselines } from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { insertEventBatch } from '@/lib/db/events';
import { getPrefixRibVisibility } from '@/lib/db/rib-visibility';
import { getLogger } from '@/lib/log';
import { makeTestEvent } from '@/test/helpers/db';
import { bgpdumpLines, haveBgpdump } from '@/test/helpers/mrt-diff';

const BVIEW = '/work/shared/fixtures/mrt/bgpdump/test_data/bview.20020722.2337.gz';
const have = existsSync(BVIEW) && haveBgpdump;
if (!have) console.warn(`rib-visibility.int.test: skipped (needs ${BVIEW} and bgpdump)`);

const collector = `rib${process.pid}`;
const P = '62.46.0.0/15';
const DUMP_S = 1_027_381_055; // 2002-07-22T23:37:35Z, the records' time
const NEXT_HOUR = Math.floor(DUMP_S / 3600) + 1; // 2002-07-23T00
const dir = mkdtempSync(path.join(tmpdir(), 'rib-vis-'));

afterAll(async () => {
  const db = getPgPool();
  await db.query('DELETE FROM bgp_events WHERE collector = $1', [collector]);
  await db.query('DELETE FROM prefix_rib_state WHERE collector = $1', [collector]);
  await db.query('DELETE FROM rib_snapshots WHERE collector = $1', [collector]);
  await resetBaselines();
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!have)('visibility from RIB dumps', () => {
  it('a loaded dump records its carriers; later updates move them; the hour counts carriers', async () => {
    const lines = bgpdumpLines(BVIEW).map((l) => l.split('|'));
    const carriers = lines.filter((f) => f[5] === P).map((f) => f[3]!);
    expect(carriers).toHaveLength(3);

    const r = await runBackfillInline({ kind: 'files', files: [BVIEW], collector }, { read: mrtFileReader({ storeRaw: false }), logger: getLogger(), cacheDir: dir, batchSize: 5000 });
    expect(r.status).toBe('done');
    const db = getPgPool();
    const snap = await db.query<{ prefixes: number; peers: number; routes: string; dump_time: Date }>('SELECT prefixes, peers, routes::text, dump_time FROM rib_snapshots WHERE collector = $1', [collector]);
    expect(snap.rows).toHaveLength(1);
    const stored = await db.query<{ p: number; n: string }>('SELECT count(DISTINCT prefix)::int AS p, count(*)::text AS n FROM bgp_events WHERE collector = $1', [collector]);
    expect(snap.rows[0]).toMatchObject({ prefixes: stored.rows[0]!.p, routes: stored.rows[0]!.n, peers: new Set(lines.map((f) => f[3])).size });
    expect(snap.rows[0]!.dump_time.getTime()).toBe(DUMP_S * 1000);
    expect(await getPrefixRibVisibility(P)).toEqual([{ collector, asOfIso: new Date(DUMP_S * 1000).toISOString(), peers: 3 }]);

    // After the dump: one carrier withdraws, a new peer announces.
    const at = (min: number) => NEXT_HOUR * 3_600_000_000 + min * 60_000_000;
    await insertEventBatch([
      makeTestEvent({ collector, prefix: P, prefixLength: 15, peerIp: carriers[0]!, eventType: 'withdrawal', asPath: [], asPathLength: 0, originAsn: null, communities: [], nextHop: null, timestampUs: at(10) }),
      makeTestEvent({ collector, prefix: P, prefixLength: 15, peerIp: '193.203.0.99', peerAsn: 64999, asPath: [64999, 8447], asPathLength: 2, originAsn: 8447, timestampUs: at(20) }),
    ], { recordWindows: true });
    const res = await aggregateHour(NEXT_HOUR);
    expect(res.ribSetsUpdated).toBe(1);
    const [row] = await listPrefixHourStats(P, NEXT_HOUR, NEXT_HOUR);
    // Carriers at the hour's end: 3 - 1 + 1 (from updates alone it would be the 1 announcing peer).
    expect(row).toMatchObject({ announcements: 1, withdrawals: 1, peers: 3, collectors: [collector] });
    expect(await getPrefixRibVisibility(P)).toEqual([{ collector, asOfIso: new Date((NEXT_HOUR + 1) * 3_600_000).toISOString(), peers: 3 }]);

    // Re-running the hour applies nothing twice.
    expect((await aggregateHour(NEXT_HOUR)).ribSetsUpdated).toBe(0);
    expect((await listPrefixHourStats(P, NEXT_HOUR, NEXT_HOUR))[0]?.peers).toBe(3);
  });
});
