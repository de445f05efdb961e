// Ingest benchmark (`npm run bench:ingest -- [options]`): collector → PostgreSQL from the replay
// feed, on private PostgreSQL + Redis started like `npm start` does (durability 'dev').
//
// Phases (default all):
//   throughput — replay at speed 'max' (looped, retimed so nothing is a duplicate): committed
//                events/s sustained over --seconds after a warm-up.
//   lag        — replay paced to --rate events/s: received → committed lag p50/p95/p99.
//   stages     — the same messages through each step in-process (parse, normalize, hash, insert),
//                to show where the time goes.
// Options: --seconds 40 --lag-seconds 40 --rate 5000 --warmup 5 --store-raw true|false
//          --batch-size 5000 --flush-ms 200 --messages 400000 --phases throughput,lag,stages

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { startLocalServices, type LocalServices } from '@/lib/infra/local-services';
import { resetEnvForTests } from '@/lib/env';
import { ensureStreamFile, type StreamFile } from '@/bench/stream-file';

const repoRoot = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(repoRoot, '.data', 'bench');

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const argsSchema = z.object({
  seconds: z.coerce.number().int().min(5).default(40),
  'lag-seconds': z.coerce.number().int().min(5).default(40),
  warmup: z.coerce.number().int().min(0).default(5),
  rate: z.coerce.number().positive().default(5000),
  'store-raw': bool.default(true),
  'batch-size': z.coerce.number().int().min(1).default(5000),
  'flush-ms': z.coerce.number().int().min(1).default(200),
  messages: z.coerce.number().int().min(1000).default(400_000),
  phases: z.string().default('throughput,lag,stages'),
});
type Args = z.infer<typeof argsSchema>;

function parseArgs(argv: string[]): Args {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) : [a.slice(2), argv[++i]];
    if (!k || v === undefined) throw new Error(`missing value for ${a}`);
    raw[k] = v;
  }
  const parsed = argsSchema.strict().safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startReplayChild(file: string, speed: number | 'max'): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/replay-child.ts', JSON.stringify({ file, speed, loop: true, retime: true })], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`replay child exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

interface Sample {
  tMs: number;
  inserted: number;
  messages: number;
  buffered: number;
  paused: boolean;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const phases = new Set(args.phases.split(','));
  mkdirSync(benchDir, { recursive: true });

  console.log('starting private PostgreSQL + Redis (durability: dev, as npm start) …');
  const services: LocalServices = await startLocalServices({
    baseDir: path.join(benchDir, 'services'),
    database: 'bgp_observatory_bench',
    durability: 'dev',
    fresh: true,
    repoRoot,
  });
  // The collector and lib/db read their URLs from the environment (lib/env.ts).
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  process.env.LOG_LEVEL ??= 'warn';
  resetEnvForTests();

  const { runMigrations } = await import('@/scripts/migrate');
  const { getPgPool, closeDb } = await import('@/lib/db/client');
  await runMigrations(services.databaseUrl);
  const pool = getPgPool();
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });

  const pgVersion = (await pool.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '?';
  const settingNames = ['shared_buffers', 'synchronous_commit', 'fsync', 'full_page_writes', 'wal_level', 'max_wal_size', 'checkpoint_timeout', 'work_mem', 'max_connections'];
  const settings = Object.fromEntries(
    (await pool.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [settingNames])).rows.map((r) => [
      r.name,
      r.unit ? `${r.setting} (${r.unit})` : r.setting,
    ]),
  );
  const machine = { nproc: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', ramGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
  console.log(JSON.stringify({ machine, pgVersion, settings }, null, 2));

  console.log('preparing the stream file (B\'s seeded demo generator) …');
  const stream: StreamFile = await ensureStreamFile(benchDir, args.messages, {
    seed: 424242,
    prefixCount: 200_000,
    peerCount: 100,
    messagesPerSecond: 20_000,
    baselineMinutes: 600,
    incidentMinutes: 1,
  });
  const eventsPerMessage = stream.events / stream.messages;
  const streamMsgRate = stream.messages / (stream.spanMs / 1000);
  console.log(JSON.stringify({ stream: { ...stream, eventsPerMessage: +eventsPerMessage.toFixed(3), messagesPerSecondEventTime: Math.round(streamMsgRate) } }));

  const { startCollector } = await import('@/lib/ingest/collector');
  const { LagHistogram } = await import('@/lib/ingest/lag-histogram');
  const { getLogger } = await import('@/lib/log');
  const logger = getLogger();
  const collectorOpts = {
    clientName: 'bench',
    subscriptions: [{ type: 'UPDATE' as const }],
    label: 'simulated' as const,
    storeRaw: args['store-raw'],
    batchSize: args['batch-size'],
    flushMs: args['flush-ms'],
    redis,
    logger,
  };
  const truncate = () => pool.query('TRUNCATE bgp_events, ingest_gaps, ingest_windows RESTART IDENTITY CASCADE');
  const results: Record<string, unknown> = { machine, pgVersion, settings, args, stream: { ...stream, eventsPerMessage, streamMsgRate } };

  if (phases.has('throughput')) {
    await truncate();
    const replay = await startReplayChild(stream.file, 'max');
    const collector = await startCollector({ ...collectorOpts, url: replay.url });
    const samples: Sample[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < (args.warmup + args.seconds) * 1000) {
      await sleep(1000);
      const s = collector.stats();
      samples.push({ tMs: Date.now() - t0, inserted: s.inserted, messages: s.messages, buffered: s.batcher.buffered, paused: s.batcher.paused });
      process.stdout.write(`  t=${Math.round((Date.now() - t0) / 1000)}s inserted=${s.inserted} buffered=${s.batcher.buffered} paused=${s.batcher.paused}\n`);
    }
    const final = collector.stats();
    await replay.stop();
    await collector.stop({ deadlineMs: 30_000 });
    const warm = samples.find((s) => s.tMs >= args.warmup * 1000) ?? samples[0]!;
    const end = samples.at(-1)!;
    const perSecond = samples.slice(1).map((s, i) => (s.inserted - samples[i]!.inserted) / ((s.tMs - samples[i]!.tMs) / 1000)).filter((_, i) => samples[i + 1]!.tMs > warm.tMs);
    const stored = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM bgp_events')).rows[0]?.n);
    const throughput = {
      sustainedEventsPerSecond: Math.round((end.inserted - warm.inserted) / ((end.tMs - warm.tMs) / 1000)),
      sustainedMessagesPerSecond: Math.round((end.messages - warm.messages) / ((end.tMs - warm.tMs) / 1000)),
      measuredSeconds: (end.tMs - warm.tMs) / 1000,
      minSecond: Math.round(Math.min(...perSecond)),
      maxSecond: Math.round(Math.max(...perSecond)),
      inserted: collector.stats().inserted,
      storedRows: stored,
      duplicates: final.duplicates,
      dropped: final.batcher.dropped,
      pauses: final.batcher.pauses,
      lag: final.lag,
    };
    results.throughput = throughput;
    console.log(JSON.stringify({ throughput }, null, 2));
  }

  if (phases.has('lag')) {
    await truncate();
    const speed = args.rate / (streamMsgRate * eventsPerMessage);
    const replay = await startReplayChild(stream.file, speed);
    const lag = new LagHistogram();
    const collector = await startCollector({ ...collectorOpts, url: replay.url, lag });
    await sleep(args.warmup * 1000);
    lag.reset();
    const before = collector.stats();
    const t0 = Date.now();
    await sleep(args['lag-seconds'] * 1000);
    const after = collector.stats();
    const secs = (Date.now() - t0) / 1000;
    const snapshot = lag.snapshot();
    await replay.stop();
    await collector.stop({ deadlineMs: 30_000 });
    const lagResult = {
      replaySpeed: +speed.toFixed(4),
      targetEventsPerSecond: args.rate,
      achievedEventsPerSecond: Math.round((after.inserted - before.inserted) / secs),
      measuredSeconds: secs,
      lagMs: snapshot,
      dropped: after.batcher.dropped,
      reconnects: after.reconnects,
    };
    results.lag = lagResult;
    console.log(JSON.stringify({ lag: lagResult }, null, 2));
  }

  if (phases.has('stages')) {
    await truncate();
    const { stageTimings } = await import('@/bench/stage-timings');
    const lines = readFileSync(stream.file, 'utf8').split('\n', 100_000).filter(Boolean);
    const stages = await stageTimings(lines, { storeRaw: args['store-raw'], batchSize: args['batch-size'] });
    results.stages = stages;
    console.log(JSON.stringify({ stages }, null, 2));
  }

  const out = path.join(benchDir, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`results written to ${path.relative(repoRoot, out)}`);

  await redis.quit();
  const { closeSharedRedis } = await import('@/lib/queue/connection');
  await closeSharedRedis();
  await closeDb();
  await services.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
