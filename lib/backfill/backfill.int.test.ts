// Backfill runs on real PostgreSQL and Redis: local files inline and through BullMQ workers
// (in this process and as child processes killed mid-file), corrupt files, and gap fill through
// the broker stand-in. The MRT reader is replaced by the NDJSON stand-in (same contract), so this
// file tests the run machinery; lib/backfill/mrt-backfill.int.test.ts runs real MRT fixtures.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillInline } from '@/lib/backfill/inline';
import { ndjsonTestReader, writeTestFile } from '@/lib/backfill/ndjson-test-reader';
import { scheduleGapBackfills, startBackfill } from '@/lib/backfill/runs';
import { getBackfillRun, getGapBackfillStatus } from '@/lib/db/backfills';
import { closeDb, getPgPool } from '@/lib/db/client';
import { recordGap } from '@/lib/db/ingest-windows';
import { getLogger } from '@/lib/log';
import { closeBackfillFlows } from '@/lib/queue/backfill-flow';
import { createRedisConnection } from '@/lib/queue/connection';
import { closeQueues } from '@/lib/queue/jobs';
import { startBrokerTestServer, type BrokerTestServer } from '@/lib/sources/bgpstream/broker-test-server';
import { runBackfillJob } from '@/workers/backfill';
import { waitFor } from '@/test/helpers/wait';
import { deleteKeys } from '@/test/helpers/redis';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const logger = getLogger().child({ module: 'backfill-int-test' });
const tag = `${process.pid}${Date.now() % 100_000}`;
const T0 = 1_427_846_400; // 2015-04-01T00:00:00Z
let dir: string;
let redis: Redis;
const children: ChildProcess[] = [];

async function countEvents(collector: string): Promise<{ n: number; distinct: number }> {
  const r = await getPgPool().query<{ n: number; d: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT (timestamp, prefix, peer_ip))::int AS d FROM bgp_events WHERE collector = $1`,
    [collector],
  );
  return { n: r.rows[0]!.n, distinct: r.rows[0]!.d };
}

/** Rows of `a` missing from `b` plus rows of `b` missing from `a`, compared without the collector. */
async function symmetricDifference(a: string, b: string): Promise<number> {
  const q = (x: string, y: string) =>
    `SELECT count(*)::int AS n FROM (SELECT timestamp, prefix, peer_ip, as_path FROM bgp_events WHERE collector = '${x}'
       EXCEPT ALL SELECT timestamp, prefix, peer_ip, as_path FROM bgp_events WHERE collector = '${y}') d`;
  const [r1, r2] = await Promise.all([getPgPool().query<{ n: number }>(q(a, b)), getPgPool().query<{ n: number }>(q(b, a))]);
  return r1.rows[0]!.n + r2.rows[0]!.n;
}

function clearBackfillQueue(): Promise<void> {
  return deleteKeys(redis, 'bull:backfill:*');
}

function spawnWorker(batchSize: number, pauseMs: number, pauseEvery: number): { child: ChildProcess; ready: Promise<void> } {
  // node --import tsx: one process (the tsx wrapper would leave its node child running on SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/backfill/test-worker-child.ts', path.join(dir, 'cache'), String(batchSize), String(pauseMs), String(pauseEvery)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal}): ${out.slice(-2000)}`)));
  });
  return { child, ready };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'backfill-int-'));
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  await clearBackfillQueue();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await closeBackfillFlows();
  await closeQueues();
  await redis?.quit();
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

const inlineDeps = () => ({ read: ndjsonTestReader(), logger, cacheDir: path.join(dir, 'cache'), batchSize: 700 });

describe('local-file backfill', () => {
  it('run twice yields the same event count; the second run inserts nothing', async () => {
    const file = path.join(dir, 'twice.ndjson');
    await writeTestFile(file, { records: 1200, perRecord: 3, t0: T0 });
    const collector = `twice${tag}`;
    const first = await runBackfillInline({ kind: 'files', files: [file], collector }, inlineDeps());
    expect(first.status).toBe('done');
    const after1 = await countEvents(collector);
    expect(after1).toEqual({ n: 3600, distinct: 3600 });
    const second = await runBackfillInline({ kind: 'files', files: [file], collector }, inlineDeps());
    expect(second.status).toBe('done');
    expect(await countEvents(collector)).toEqual(after1);
    const run2 = (await getBackfillRun(second.id))!;
    expect(run2.run).toMatchObject({ filesTotal: 1, filesDone: 1, events: 3600, inserted: 0, duplicates: 3600, records: 1200 });
    expect(run2.files[0]).toMatchObject({ status: 'done', records: 1200, events: 3600, inserted: 0, duplicates: 3600, attempts: 1 });
  });

  it('a corrupt file fails with its byte offset and record; its good records are kept; the run goes on', async () => {
    const good = path.join(dir, 'good.ndjson');
    const bad = path.join(dir, 'bad.ndjson');
    await writeTestFile(good, { records: 100, perRecord: 2, t0: T0 + 100, seed: 1 });
    await writeTestFile(bad, { records: 100, perRecord: 2, t0: T0 + 200, seed: 2, corruptAt: 60 });
    const collector = `corrupt${tag}`;
    const r = await runBackfillInline({ kind: 'files', files: [bad, good, path.join(dir, 'missing.ndjson')], collector }, inlineDeps());
    expect(r.status).toBe('partial');
    const { run, files } = (await getBackfillRun(r.id))!;
    expect(run).toMatchObject({ filesTotal: 3, filesDone: 1, filesFailed: 2, errors: 2 });
    const badRow = files.find((f) => f.location === bad)!;
    expect(badRow).toMatchObject({ status: 'failed', records: 60, events: 120, errorRecord: 60 });
    expect(badRow.errorByteOffset).toBeGreaterThan(0);
    expect(badRow.error).toMatch(/record #60 at byte offset \d+/);
    expect(files.find((f) => f.location === good)).toMatchObject({ status: 'done', events: 200 });
    expect(files.find((f) => f.location.endsWith('missing.ndjson'))).toMatchObject({ status: 'failed', error: expect.stringMatching(/cannot read/) });
    expect((await countEvents(collector)).n).toBe(320);
  });
});

describe('queued backfill', () => {
  it('one job per file through a BullMQ flow, with per-file progress, shared by two workers', async () => {
    const files = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const f = path.join(dir, `q${i}.ndjson`);
        await writeTestFile(f, { records: 300, perRecord: 2, t0: T0 + 1000 * i, seed: 10 + i });
        return f;
      }),
    );
    const collector = `queued${tag}`;
    const progress: unknown[] = [];
    const mk = () => {
      const w = new Worker('backfill', (job) => runBackfillJob(job, { read: ndjsonTestReader(), logger, cacheDir: path.join(dir, 'cache'), batchSize: 100, gapCollectors: [] }), {
        connection: createRedisConnection({ maxRetriesPerRequest: null }),
        concurrency: 1,
      });
      w.on('progress', (_job, p) => progress.push(p));
      return w;
    };
    const workers = [mk(), mk()];
    try {
      const { id } = await startBackfill({ kind: 'files', files, collector });
      const final = await waitFor('the run to finish', async () => {
        const r = await getBackfillRun(id);
        return r && r.run.status !== 'running' && r.run.status !== 'planning' ? r : null;
      });
      expect(final.run).toMatchObject({ status: 'done', filesTotal: 4, filesDone: 4, events: 2400, inserted: 2400 });
      expect(final.files.every((f) => f.status === 'done' && f.events === 600)).toBe(true);
      expect(progress.length).toBeGreaterThanOrEqual(4);
      expect(await countEvents(collector)).toEqual({ n: 2400, distinct: 2400 });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('a worker killed (SIGKILL) mid-file and restarted finishes the job with no duplicates and no gaps', async () => {
    const file = path.join(dir, 'killed.ndjson');
    await writeTestFile(file, { records: 4000, perRecord: 3, t0: T0 + 5000, seed: 99 });
    const clean = `clean${tag}`;
    await runBackfillInline({ kind: 'files', files: [file], collector: clean }, inlineDeps());

    const killed = `killed${tag}`;
    // Earlier workers (default 30 s stalledInterval) leave a stalled-check key that would hold off
    // the short checks of the child workers: start from an empty queue.
    await clearBackfillQueue();
    const w1 = spawnWorker(300, 40, 100);
    await w1.ready;
    const { id } = await startBackfill({ kind: 'files', files: [file], collector: killed });
    // Kill once some batches are committed but the file is far from done.
    const mid = await waitFor('progress mid-file', async () => {
      const r = await getBackfillRun(id);
      const f = r?.files[0];
      return f && f.status === 'running' && f.records > 0 && f.records < 3000 ? f : null;
    });
    w1.child.kill('SIGKILL');
    await new Promise((r) => w1.child.once('exit', r));
    const w2 = spawnWorker(300, 0, 0);
    await w2.ready;
    const final = await waitFor('the run to finish after the restart', async () => {
      const r = await getBackfillRun(id);
      return r && r.run.status !== 'running' ? r : null;
    });
    w2.child.kill('SIGTERM');

    expect(final.run.status).toBe('done');
    const f = final.files[0]!;
    expect(f).toMatchObject({ status: 'done', records: 4000, events: 12_000 });
    expect(f.attempts).toBeGreaterThanOrEqual(2);
    expect(f.inserted + f.duplicates).toBe(12_000);
    expect(mid.records).toBeGreaterThan(0);
    expect(await countEvents(killed)).toEqual({ n: 12_000, distinct: 12_000 });
    expect(await symmetricDifference(killed, clean)).toBe(0);
  }, 240_000);

  it('npm run backfill (queued) shows progress until a worker has finished the run', async () => {
    const file = path.join(dir, 'cli-queued.ndjson');
    await writeTestFile(file, { records: 500, perRecord: 2, t0: T0 + 9000, seed: 77 });
    const collector = `cliq${tag}`;
    const w = spawnWorker(200, 0, 0);
    await w.ready;
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', '--file', file, '--collector', collector], {
        cwd: repoRoot,
        env: { ...process.env, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(c);
      let text = '';
      c.stdout?.on('data', (b: Buffer) => (text += b.toString()));
      c.stderr?.on('data', (b: Buffer) => (text += b.toString()));
      c.on('exit', (code) => resolve({ code, text }));
    });
    w.child.kill('SIGTERM');
    expect(out.text).toMatch(/backfill run \d+ enqueued/);
    expect(out.text).toMatch(/\[#+\] 1\/1 files {2}1,000 events .* done/);
    expect(out.text).toMatch(/backfill run \d+: done — 1\/1 files, 1000 events \(1000 new, 0 already stored\), 0 failed/);
    expect(out.code).toBe(0);
    expect((await countEvents(collector)).n).toBe(1000);
  }, 120_000);
});

describe('gap fill', () => {
  let broker: BrokerTestServer;
  afterAll(async () => broker?.close());

  it('a recorded gap schedules a backfill of its interval from the archive and ends done', async () => {
    const collector = `gap${tag}`;
    // Archive: four five-minute update files of one collector; the gap covers the middle two.
    const base = T0 + 86_400;
    const catalog = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const p = path.join(dir, `${collector}-${i}.ndjson`);
        await writeTestFile(p, { records: 50, perRecord: 2, t0: base + i * 300, seed: 200 + i });
        return { name: `${collector}.updates.${base + i * 300}.ndjson`, path: p, project: 'ris', collector, type: 'updates' as const, initialTime: base + i * 300, duration: 300 };
      }),
    );
    broker = await startBrokerTestServer({ catalog, capFiles: 1 });
    const gap = await recordGap({
      source: 'ris_live_bgp',
      startedAtMs: Date.now() - 120_000,
      endedAtMs: Date.now() - 60_000,
      lastEventBeforeUs: (base + 320) * 1_000_000,
      firstEventAfterUs: (base + 650) * 1_000_000,
      reason: 'test: socket closed',
    });
    const worker = new Worker(
      'backfill',
      (job) => runBackfillJob(job, { read: ndjsonTestReader(), logger, cacheDir: path.join(dir, 'cache'), batchSize: 100, gapCollectors: [collector], broker: { baseUrl: broker.brokerUrl, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 } } }),
      { connection: createRedisConnection({ maxRetriesPerRequest: null }), concurrency: 1 },
    );
    try {
      // Not yet: the archive is not published until publishDelaySeconds after the gap ended.
      expect(await scheduleGapBackfills({ nowMs: Date.now(), publishDelaySeconds: 3600, marginSeconds: 10, collectors: [collector] })).toEqual([]);
      const started = await scheduleGapBackfills({ nowMs: Date.now(), publishDelaySeconds: 0, marginSeconds: 10, collectors: [collector] });
      const mine = started.find((s) => s.gapId === gap.id)!;
      expect(mine).toBeDefined();
      expect(await getGapBackfillStatus(gap.id)).toBe('scheduled');
      // A second scan does not schedule it again.
      expect((await scheduleGapBackfills({ nowMs: Date.now(), publishDelaySeconds: 0, marginSeconds: 10, collectors: [collector] })).map((s) => s.gapId)).not.toContain(gap.id);
      const final = await waitFor('the gap run to finish', async () => {
        const r = await getBackfillRun(mine.runId);
        return r && r.run.status !== 'running' && r.run.status !== 'planning' ? r : null;
      });
      expect(final.run).toMatchObject({ status: 'done', gapId: gap.id, params: { kind: 'archive', from: base + 310, to: base + 660, collectors: [collector], type: 'updates' } });
      // Files starting at +300 and +600 cover the gap; the one at +0 ends at +300 (before from).
      expect(final.files.map((f) => f.initialTime).sort()).toEqual([base + 300, base + 600]);
      expect(broker.dataRequests.length).toBeGreaterThan(1); // paged past capFiles: 1
      expect(await getGapBackfillStatus(gap.id)).toBe('done');
      expect((await countEvents(collector)).n).toBe(200);
    } finally {
      await worker.close();
    }
  });
});
