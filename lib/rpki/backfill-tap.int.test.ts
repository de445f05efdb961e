// RPKI validation of backfilled routes on the real database: verdict counts per run and file, the
// index from the persisted sets (no RPKI service in the process) or from the service, historic
// rpki_invalid anomalies for watched prefixes, exact counts across a resumed file, and no
// historic route ever reaching the live route table (the observer).

import '@/test/setup-env';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFilePipeline } from '@/lib/backfill/file-pipeline';
import { runBackfillInline } from '@/lib/backfill/inline';
import { ndjsonTestReader } from '@/lib/backfill/ndjson-test-reader';
import type { BgpEvent } from '@/lib/bgp/types';
import { createBackfillRun, listRunFiles, type FileProgress } from '@/lib/db/backfills';
import { closeDb, getPgPool } from '@/lib/db/client';
import { saveRpkiSourceSet, sumBackfillRpkiByFile, sumBackfillRpkiByRun } from '@/lib/db/rpki';
import { getLogger } from '@/lib/log';
import { WatchList } from '@/lib/rpki/anomalies';
import { closeBackfillRpki, withBackfillRpki } from '@/lib/rpki/backfill-tap';
import { setRpkiIndexProvider, setRpkiObserver } from '@/lib/rpki/observer';
import type { Vrp } from '@/lib/rpki/types';
import { VrpIndex } from '@/lib/rpki/vrp-index';
import { resetRpkiTables } from '@/test/helpers/rpki';
import { backfillDetailSchema, backfillListSchema } from '@/lib/api/backfills';
import { GET as listRuns } from '@/app/api/v1/bgp/backfills/route';
import { GET as getRun } from '@/app/api/v1/bgp/backfills/[id]/route';

const logger = getLogger().child({ module: 'rpki-backfill-test' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-rpki-backfill-'));
const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z
const collector = `rpkibf${process.pid % 10_000}`;

const VRPS: Vrp[] = [
  { prefix: '100.77.1.0/24', maxLength: 24, asn: 65001 },
  { prefix: '100.77.2.0/24', maxLength: 24, asn: 65009 },
];

/**
 * 40 records; per record: peer 1 (AS65001) valid 100.77.1.0/24 and too specific 100.77.1.128/25,
 * peer 2 (AS65002) wrong origin for 100.77.1.0/24 and 100.77.2.0/24, and 100.77.3.0/24 (not found).
 * (The test reader's origin is 65000 + peer.)
 */
function writeFile(name: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) {
    lines.push(JSON.stringify({ t: T0 + i * 10, peer: 1, prefixes: ['100.77.1.0/24', '100.77.1.128/25'] }));
    lines.push(JSON.stringify({ t: T0 + i * 10 + 5, peer: 2, prefixes: ['100.77.1.0/24', '100.77.2.0/24', '100.77.3.0/24'] }));
  }
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
const EXPECTED = { valid: 20, invalidAsn: 40, invalidLength: 20, notFound: 20 };

const seen: BgpEvent[] = [];
const inlineDeps = (batchSize = 7) => ({ read: ndjsonTestReader(), cacheDir: path.join(dir, 'cache'), batchSize, logger });

beforeEach(async () => {
  await resetRpkiTables({ anomalies: true });
  // Historic routes must never reach the live route table: anything observed here is a failure.
  seen.length = 0;
  setRpkiObserver((events) => void seen.push(...events));
});
afterEach(async () => {
  setRpkiObserver(null);
  setRpkiIndexProvider(null);
  await closeBackfillRpki();
});
afterAll(async () => {
  // Our events (their own collector, prefixes no other test uses) would otherwise feed other
  // tests' aggregations of the shared database.
  await getPgPool().query('DELETE FROM bgp_events WHERE collector = $1', [collector]);
  await resetRpkiTables({ anomalies: true });
  rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

describe('RPKI validation of backfilled routes', () => {
  it('without an RPKI service: validates against the persisted sets and counts verdicts per run and file', async () => {
    await saveRpkiSourceSet({ sourceId: 'file:/vrps.json', kind: 'file', serial: 1, sessionId: null, generatedAtMs: null, loadedAtMs: Date.UTC(2026, 10, 22), vrpCount: VRPS.length, vrps: { full: VRPS }, aspas: [] });
    const run = await runBackfillInline({ kind: 'files', files: [writeFile('a.ndjson'), writeFile('b.ndjson')], collector }, inlineDeps());
    expect(run.status).toBe('done');
    const byRun = await sumBackfillRpkiByRun([run.id]);
    expect(byRun.get(run.id)).toEqual({ valid: 40, invalidAsn: 80, invalidLength: 40, notFound: 40, vrpCount: 2 });
    const files = await listRunFiles(run.id);
    const byFile = await sumBackfillRpkiByFile(run.id);
    for (const f of files) expect(byFile.get(f.id)).toEqual({ ...EXPECTED, vrpCount: 2 });
    expect(seen).toEqual([]);
    // The backfills API shows them per run and per file.
    const detail = backfillDetailSchema.parse(await (await getRun(new Request(`http://localhost/api/v1/bgp/backfills/${run.id}`), { params: Promise.resolve({ id: run.id }) })).json());
    const wire = { valid: 20, invalid: 60, invalid_as_mismatch: 40, invalid_max_length: 20, not_found: 20, vrps: 2 };
    expect(detail.data.rpki).toEqual({ ...wire, valid: 40, invalid: 120, invalid_as_mismatch: 80, invalid_max_length: 40, not_found: 40 });
    expect(detail.data.files.map((f) => f.rpki)).toEqual([wire, wire]);
    const list = backfillListSchema.parse(await (await listRuns(new Request('http://localhost/api/v1/bgp/backfills?limit=50'))).json());
    expect(list.data.find((r) => r.id === run.id)?.rpki).toEqual(detail.data.rpki);
    // No watched prefixes configured here: counts only, no anomalies.
    const a = await getPgPool().query("SELECT 1 FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid'");
    expect(a.rowCount).toBe(0);
  });

  it('records nothing when no VRP set exists anywhere (rather than calling every route not-found)', async () => {
    const run = await runBackfillInline({ kind: 'files', files: [writeFile('c.ndjson')], collector }, inlineDeps());
    expect(run.status).toBe('done');
    expect((await sumBackfillRpkiByRun([run.id])).size).toBe(0);
    const detail = backfillDetailSchema.parse(await (await getRun(new Request(`http://localhost/api/v1/bgp/backfills/${run.id}`), { params: Promise.resolve({ id: run.id }) })).json());
    expect(detail.data.rpki).toBeNull();
  });

  it('with the service in the process: its index, and historic rpki_invalid anomalies for watched prefixes at event time', async () => {
    const { index } = VrpIndex.build(VRPS);
    setRpkiIndexProvider(() => ({ index, watch: WatchList.parse('100.77.1.0/24').watch }));
    const run = await runBackfillInline({ kind: 'files', files: [writeFile('d.ndjson')], collector }, inlineDeps());
    expect((await sumBackfillRpkiByRun([run.id])).get(run.id)).toEqual({ ...EXPECTED, vrpCount: 2 });
    const r = await getPgPool().query<{ prefix: string; origin: string; status: string; severity: string; started: string; ended: string; trigger: string; run_id: string; dedup_key: string }>(
      `SELECT prefix::text, origin_asn::text AS origin, status, severity, extract(epoch from started_at)::bigint::text AS started, extract(epoch from ended_at)::bigint::text AS ended,
              evidence->>'trigger' AS trigger, evidence->>'run_id' AS run_id, dedup_key
         FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid' ORDER BY prefix`,
    );
    // 100.77.2.0/24 is invalid too but not watched; 100.77.1.128/25 (too specific) and the
    // wrong-origin 100.77.1.0/24 are inside the watched prefix.
    expect(r.rows).toEqual([
      { prefix: '100.77.1.0/24', origin: '65002', status: 'resolved', severity: 'low', started: String(T0 + 5), ended: String(T0 + 195), trigger: 'backfill', run_id: run.id, dedup_key: `rpki_invalid|100.77.1.0/24|65002|backfill:${run.id}` },
      { prefix: '100.77.1.128/25', origin: '65001', status: 'resolved', severity: 'low', started: String(T0), ended: String(T0 + 190), trigger: 'backfill', run_id: run.id, dedup_key: `rpki_invalid|100.77.1.128/25|65001|backfill:${run.id}` },
    ]);
    expect(seen).toEqual([]);
  });

  it('keeps per-file counts exact when a file resumes from a progress commit older than its counts', async () => {
    const { index } = VrpIndex.build(VRPS);
    setRpkiIndexProvider(() => ({ index, watch: null }));
    const file = writeFile('e.ndjson');
    const run = await createBackfillRun({ kind: 'files', files: [file], collector }, [{ location: file, project: null, collector, dumpType: 'unknown', initialTime: null, duration: null }]);
    const row = (await listRunFiles(run.id))[0]!;
    let committed: FileProgress = { records: 0, events: 0, inserted: 0, duplicates: 0, skipped: 0, byteOffset: 0 };
    const deps = (dieAtCommit: number | null, keepCommits: number) => {
      let commits = 0;
      return {
        read: ndjsonTestReader(),
        insert: async (events: BgpEvent[]) => ({ inserted: events.length, duplicates: 0, rejected: 0 }),
        commit: async (p: FileProgress) => {
          // The worker dies after a batch's counts were written, before its progress is; and the
          // progress of the batches before it is lost too (as a crash with synchronous_commit=off can).
          if (++commits === dieAtCommit) throw new Error('worker killed');
          if (commits <= keepCommits) committed = { ...p };
        },
        batchSize: 6,
        writers: 1,
      };
    };
    await expect(runFilePipeline(file, collector, committed, withBackfillRpki(deps(4, 1), { id: row.id, runId: run.id, records: 0 }, logger))).rejects.toThrow('worker killed');
    expect(committed.records).toBeGreaterThan(0);
    // Resume from the committed record with a different batch size: batches are cut differently.
    const resumed = await runFilePipeline(file, collector, committed, withBackfillRpki({ ...deps(null, Infinity), batchSize: 4 }, { id: row.id, runId: run.id, records: committed.records }, logger));
    expect(resumed.failure).toBeNull();
    expect((await sumBackfillRpkiByFile(run.id)).get(row.id)).toEqual({ ...EXPECTED, vrpCount: 2 });
  });
});
