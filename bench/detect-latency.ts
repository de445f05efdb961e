// Detection latency benchmark (`npm run bench:detect-latency -- [options]`): how long from a BGP
// message leaving the feed to the anomaly it causes arriving on the push channel.
//
// Private PostgreSQL + Redis (as `npm start`), baselines for --covers covering prefixes
// aggregated by the baseline layer, then a replay feed (its own process, like the remote RIS Live)
// paced at --rate messages/s of background announcements, with a sub-prefix hijack of one of the
// covers injected every --every-ms (--hijack-peers consecutive messages from different peers).
// This process runs what the worker process runs: the collector (→ PostgreSQL), the detection
// feed (→ partition queues) and the detection service (P partitions, → bgp_anomalies →
// stream bgp:anomalies), plus a reader of the stream (XREAD BLOCK, as the SSE endpoint does).
// Latency per hijack = arrival of its "new" entry on the stream − wall time the feed sent the
// hijack's first message. Reports p50 / p95 / p99 / max.
//
// Options: --seconds 30 --warmup 5 --rate 5000 --every-ms 500 --covers 200 --partitions 4
//          --hijack-peers 3 --flush-ms 100

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { startLocalServices } from '@/lib/infra/local-services';
import { resetEnvForTests } from '@/lib/env';
import { formatUpdateFrame, MessageIds } from '@/lib/demo/wire';

const repoRoot = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(repoRoot, '.data', 'bench');

const argsSchema = z
  .object({
    seconds: z.coerce.number().int().min(5).default(30),
    warmup: z.coerce.number().int().min(0).default(5),
    rate: z.coerce.number().positive().default(5000),
    'every-ms': z.coerce.number().int().min(50).default(500),
    covers: z.coerce.number().int().min(1).max(20_000).default(200),
    partitions: z.coerce.number().int().min(1).max(64).default(4),
    'hijack-peers': z.coerce.number().int().min(2).max(50).default(3),
    'flush-ms': z.coerce.number().int().min(1).default(100),
  })
  .strict();
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
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HIJACKER = 64666;
const PEERS = 50;
const coverOf = (i: number) => `${20 + (i % 180)}.${1 + Math.floor(i / 180)}.0.0/16`;
const victimOf = (i: number) => 65000 + i;
const peerOf = (k: number) => ({ ip: `192.0.2.${1 + (k % PEERS)}`, asn: 64500 + (k % PEERS), collector: `rrc${String(k % 4).padStart(2, '0')}` });

/** The feed file: background at `rate`, a hijack every `every-ms`; returns the first-message line index of each hijack. */
function writeFeed(file: string, a: Args, t0Ms: number): { lines: number; hijacks: { line: number; prefix: string }[] } {
  const ids = new MessageIds();
  const out: string[] = [];
  const hijacks: { line: number; prefix: string }[] = [];
  const total = Math.round(a.rate * (a.seconds + a.warmup));
  let rnd = 12345;
  const next = () => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
  let nextHijackMs = a.warmup * 1000;
  let k = 0;
  for (let n = 0; n < total; n++) {
    const ms = t0Ms + Math.floor((n * 1000) / a.rate);
    if (ms - t0Ms >= nextHijackMs) {
      const i = k % a.covers;
      const cover = coverOf(i);
      const [o1, o2] = cover.split('.');
      const prefix = `${o1}.${o2}.${1 + Math.floor(k / a.covers)}.0/24`;
      hijacks.push({ line: out.length, prefix });
      for (let p = 0; p < a['hijack-peers']; p++) {
        const peer = peerOf(p + k);
        out.push(formatUpdateFrame({ timestampMs: ms, peer: peer.ip, peerAsn: peer.asn, id: ids.next(peer.ip, ms), collector: peer.collector, path: [peer.asn, 174, HIJACKER], community: [], origin: 'IGP', med: null, aggregator: null, announcements: [{ next_hop: peer.ip, prefixes: [prefix] }], withdrawals: [] }));
      }
      k++;
      nextHijackMs += a['every-ms'];
    }
    // Background: routes nobody has a baseline for (learned, never alerted), spread over partitions.
    const peer = peerOf(next());
    const prefix = `${1 + (next() % 223)}.0.${next() % 256}.0/24`;
    out.push(formatUpdateFrame({ timestampMs: ms, peer: peer.ip, peerAsn: peer.asn, id: ids.next(peer.ip, ms), collector: peer.collector, path: [peer.asn, 3356, 64000 + (next() % 1000)], community: [], origin: 'IGP', med: null, aggregator: null, announcements: [{ next_hop: peer.ip, prefixes: [prefix] }], withdrawals: [] }));
  }
  writeFileSync(file, `${out.join('\n')}\n`);
  return { lines: out.length, hijacks };
}

/** Child mode: serve the feed at real time (retimed to now) and report when marked lines leave. */
async function feedChild(spec: { file: string; marks: number[] }): Promise<void> {
  const { startReplayServer } = await import('@/lib/replay/server');
  const marks = new Set(spec.marks);
  const server = await startReplayServer({
    source: { file: spec.file },
    speed: 1,
    retime: true,
    // position counts lines consumed, so line index = position - 1.
    onPlayed: (e) => {
      if (marks.has(e.position - 1)) process.stdout.write(`${JSON.stringify({ line: e.position - 1, atMs: e.atMs })}\n`);
    },
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
}

function startFeedChild(file: string, marks: number[], onSent: (line: number, atMs: number) => void): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/detect-latency.ts', '--feed-child', JSON.stringify({ file, marks })], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const msg = JSON.parse(buf.slice(0, nl)) as { url?: string; line?: number; atMs?: number };
        buf = buf.slice(nl + 1);
        if (msg.url) resolve({ url: msg.url, child });
        else if (msg.line !== undefined && msg.atMs !== undefined) onSent(msg.line, msg.atMs);
      }
    });
    child.on('exit', (code) => reject(new Error(`feed child exited with ${code}`)));
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  mkdirSync(benchDir, { recursive: true });
  console.log('starting private PostgreSQL + Redis (durability: dev, as npm start) …');
  const services = await startLocalServices({ baseDir: path.join(benchDir, 'services-detect'), database: 'bgp_observatory_bench_detect', durability: 'dev', fresh: true, repoRoot });
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  process.env.LOG_LEVEL ??= 'warn';
  resetEnvForTests();

  const { runMigrations } = await import('@/scripts/migrate');
  const { closeDb } = await import('@/lib/db/client');
  const { insertEventBatch } = await import('@/lib/db/events');
  const { aggregateHour } = await import('@/lib/db/baselines');
  const { parseDetectionConfig } = await import('@/lib/detect/config');
  const { startCollector } = await import('@/lib/ingest/collector');
  const { getLogger } = await import('@/lib/log');
  const { createRedisConnection } = await import('@/lib/queue/connection');
  const { closeDetectQueues } = await import('@/lib/queue/detect');
  const { readAnomalyStream, lastAnomalyStreamId } = await import('@/lib/queue/detect-stream');
  const { startDetectionService } = await import('@/workers/detect');
  const { registerDetectFeed } = await import('@/workers/detect-feed');
  const { closeAnomalyPushRedis } = await import('@/workers/detect-push');
  const { makeTestEvent } = await import('@/test/helpers/db');
  await runMigrations(services.databaseUrl);
  const logger = getLogger().child({ bench: 'detect-latency' });

  // Baselines: each cover announced by its own origin through 10 peers, two hours ago.
  const hour = Math.floor(Date.now() / 3_600_000) - 2;
  const base = [];
  for (let i = 0; i < a.covers; i++) {
    for (let p = 0; p < 10; p++) {
      const peer = peerOf(p);
      const prefix = coverOf(i);
      base.push(makeTestEvent({ collector: peer.collector, peerIp: peer.ip, peerAsn: peer.asn, prefix, prefixLength: 16, originAsn: victimOf(i), asPath: [peer.asn, 3356, victimOf(i)], asPathLength: 3, timestampUs: (hour * 3600 + 60 + p) * 1_000_000 }));
    }
  }
  await insertEventBatch(base);
  await aggregateHour(hour);

  const file = path.join(benchDir, 'detect-latency.ndjson');
  const feed = writeFeed(file, a, Date.UTC(2026, 0, 1));
  console.log(`feed: ${feed.lines} messages, ${feed.hijacks.length} hijacks, ${a.rate} msg/s background, partitions ${a.partitions}`);

  const detectFeed = registerDetectFeed(a.partitions, logger);
  // 24 h window: the seeded hour is in it at once (7 d / 30 d fold whole days).
  const service = await startDetectionService({ partitions: a.partitions, owner: 'bench', logger, config: parseDetectionConfig({ baselineWindow: '24h' }) });
  console.log(`detection: holds partitions ${service.held().join(',')}; ${service.stats().baselinePrefixes} baselined prefixes`);

  const sentAt = new Map<string, number>();
  const prefixOfLine = new Map(feed.hijacks.map((h) => [h.line, h.prefix]));
  const arrivedAt = new Map<string, number>();
  const reader = createRedisConnection({ maxRetriesPerRequest: null });
  let cursor = await lastAnomalyStreamId(reader);
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      const entries = await readAnomalyStream(reader, cursor, { blockMs: 500 }).catch(() => []);
      const now = Date.now();
      for (const e of entries) {
        cursor = e.id;
        const m = e.message;
        if (m?.kind === 'new' && m.anomaly.type === 'more_specific' && m.anomaly.prefix && !arrivedAt.has(m.anomaly.prefix)) arrivedAt.set(m.anomaly.prefix, now);
      }
    }
  })();

  const { url, child } = await startFeedChild(
    file,
    feed.hijacks.map((h) => h.line),
    (line, atMs) => {
      const p = prefixOfLine.get(line);
      if (p) sentAt.set(p, atMs);
    },
  );
  const collector = await startCollector({ url, clientName: 'bench-detect-latency', subscriptions: [{ type: 'UPDATE' }], label: 'simulated', storeRaw: false, flushMs: a['flush-ms'], redis: null, logger });
  const started = Date.now();
  const totalMs = (a.seconds + a.warmup) * 1000;
  while (Date.now() - started < totalMs + 5_000 && arrivedAt.size < feed.hijacks.length) await sleep(250);
  await sleep(1_000);

  const lat = feed.hijacks
    .map((h) => ({ sent: sentAt.get(h.prefix), got: arrivedAt.get(h.prefix) }))
    .filter((x): x is { sent: number; got: number } => x.sent !== undefined && x.got !== undefined)
    .map((x) => x.got - x.sent)
    .sort((x, y) => x - y);
  const cs = collector.stats();
  const result = {
    machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', node: process.version },
    args: a,
    hijacks: feed.hijacks.length,
    sent: sentAt.size,
    detected: arrivedAt.size,
    measured: lat.length,
    latencyMs: { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: lat.at(-1) ?? NaN, min: lat[0] ?? NaN },
    collector: { messages: cs.messages, inserted: cs.inserted, ingestLagP99Ms: cs.lag.p99 ?? null },
    detection: service.stats(),
    feedQueue: detectFeed.stats(),
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(path.join(benchDir, 'detect-latency.json'), JSON.stringify(result, null, 2));

  child.kill('SIGTERM');
  reading = false;
  await collector.stop({ deadlineMs: 5_000 });
  await readLoop;
  reader.disconnect();
  await service.stop();
  detectFeed.unregister();
  await closeDetectQueues();
  await closeAnomalyPushRedis();
  await closeDb();
  await services.stop();
  process.exit(0);
}

if (process.argv[2] === '--feed-child') {
  void feedChild(JSON.parse(process.argv[3] ?? '{}') as { file: string; marks: number[] });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
