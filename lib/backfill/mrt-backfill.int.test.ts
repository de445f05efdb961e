// `npm run backfill -- --inline --file <mrt>` on real MRT fixtures (../shared/fixtures/mrt) into
// PostgreSQL: the CLI as a child process, run twice (same count), a truncated file (fails at its
// byte offset, keeps the records before it), and an archive run through the broker stand-in.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillInline } from '@/lib/backfill/inline';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { readMrt } from '@/lib/bgp/mrt/reader';
import { mrtItemToEvents } from '@/lib/bgp/route-events';
import { getBackfillRun } from '@/lib/db/backfills';
import { closeDb, getPgPool } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { startBrokerTestServer } from '@/lib/sources/bgpstream/broker-test-server';
import { openMrtSource } from '@/lib/sources/mrt/open';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/mrt');
const RRC06 = path.join(fixtures, 'libbgpstream/ris.rrc06.updates.1427846400.gz');
const RRC15 = path.join(fixtures, 'bgpkit-parser/ripe/rrc15/2010.02/updates.20100227.1600.gz');
const have = existsSync(RRC06) && existsSync(RRC15);
const tag = `${process.pid}${Date.now() % 100_000}`;
let dir: string;

/** Distinct (timestamp, dedup key) of a file's events, straight from the parser: what a backfill must store. */
async function expectedEvents(file: string): Promise<number> {
  const keys = new Set<string>();
  try {
    for await (const item of readMrt(await openMrtSource(file))) {
      for (const e of mrtItemToEvents(item, { collector: 'x', source: 'bgpstream_bgp', storeRaw: false })) keys.add(`${e.timestampUs}_${e.dedupKey}`);
    }
  } catch {
    // A truncated file: the records before the error count.
  }
  return keys.size;
}

async function stored(collector: string): Promise<number> {
  const r = await getPgPool().query<{ n: number }>('SELECT count(*)::int AS n FROM bgp_events WHERE collector = $1', [collector]);
  return r.rows[0]!.n;
}

function cli(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', BACKFILL_CACHE_DIR: path.join(dir, 'cache') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mrt-backfill-'));
});
afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!have)('MRT backfill (real fixtures)', () => {
  it('npm run backfill -- --inline --file: run twice, same event count', async () => {
    const collector = `cli${tag}`;
    const expected = await expectedEvents(RRC06);
    expect(expected).toBeGreaterThan(100);
    const first = cli(['--inline', '--file', RRC06, '--collector', collector]);
    expect(first.out).toMatch(/backfill run \d+: done/);
    expect(first.code).toBe(0);
    expect(await stored(collector)).toBe(expected);
    const second = cli(['--inline', '--file', RRC06, '--collector', collector]);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/\(0 new, \d+ already stored\)/);
    expect(await stored(collector)).toBe(expected);
  });

  it('a truncated MRT file fails at its byte offset and record, keeping the records before it', async () => {
    const raw = gunzipSync(readFileSync(RRC15));
    const cut = path.join(dir, 'truncated.mrt');
    writeFileSync(cut, raw.subarray(0, Math.floor(raw.length / 2)));
    const collector = `cut${tag}`;
    const r = await runBackfillInline({ kind: 'files', files: [cut, RRC06], collector }, { read: mrtFileReader({ storeRaw: false }), logger: getLogger(), cacheDir: path.join(dir, 'cache'), batchSize: 2000 });
    expect(r.status).toBe('partial');
    const { files } = (await getBackfillRun(r.id))!;
    const bad = files.find((f) => f.location === cut)!;
    expect(bad.status).toBe('failed');
    expect(bad.errorRecord).toBeGreaterThan(0);
    expect(bad.errorByteOffset).toBeGreaterThan(0);
    expect(bad.errorByteOffset).toBeLessThanOrEqual(raw.length / 2);
    expect(bad.records).toBe(bad.errorRecord);
    expect(bad.events).toBeGreaterThan(0);
    expect(files.find((f) => f.location === RRC06)?.status).toBe('done');
    expect(await stored(collector)).toBe((await expectedEvents(cut)) + (await expectedEvents(RRC06)));
  });

  it('an archive run lists files with the broker, downloads them into the cache and stores their events', async () => {
    const broker = await startBrokerTestServer({
      catalog: [
        { name: 'rrc06.updates.1427846400.gz', path: RRC06, project: 'ris', collector: 'rrc06', type: 'updates', initialTime: 1427846400, duration: 300 },
        { name: 'rrc15.updates.1267286400.gz', path: RRC15, project: 'ris', collector: 'rrc15', type: 'updates', initialTime: 1267286400, duration: 300 },
      ],
      capFiles: 1,
    });
    try {
      const r = await runBackfillInline(
        { kind: 'archive', from: 1427846400, to: 1427846699, collectors: ['rrc06'], projects: ['ris'], type: 'updates' },
        { read: mrtFileReader({ storeRaw: false }), logger: getLogger(), cacheDir: path.join(dir, 'cache'), batchSize: 2000, broker: { baseUrl: broker.brokerUrl } },
      );
      expect(r.status).toBe('done');
      const { run, files } = (await getBackfillRun(r.id))!;
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ collector: 'rrc06', project: 'ris', dumpType: 'updates', bytes: readFileSync(RRC06).length });
      expect(run.inserted + run.duplicates).toBe(run.events);
      const c = await getPgPool().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bgp_events WHERE collector = 'rrc06' AND source = 'bgpstream_bgp' AND "timestamp" >= to_timestamp(1427846400) AND "timestamp" < to_timestamp(1427846700)`,
      );
      expect(c.rows[0]!.n).toBe(await expectedEvents(RRC06));
    } finally {
      await broker.close();
    }
  });
});
