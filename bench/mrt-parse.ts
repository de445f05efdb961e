// MRT decode throughput, our streaming reader vs `bgpdump -m > /dev/null`, on the same files in
// one run, decompression included (gzip through zlib for us, bgpdump's own zlib). Each of our runs
// is a fresh child process so its peak RSS is its own; bgpdump's peak RSS comes from /usr/bin/time.
//
//   npx tsx bench/mrt-parse.ts [--rounds N] [file ...]   (default: the largest RIB and update fixtures, 5 rounds)
//
// Modes: batches = readMrtBatches items (what a consumer gets), items = readMrt one by one,
// events = readMrtBatches + mrtItemToEvents (the backfill path: BgpEvents with dedup keys).
//
// Counted: records (MRT records), routes (RIB entries + announced + withdrawn prefixes: what
// bgpdump prints one line for), MB of uncompressed MRT.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMrt, readMrtBatches } from '@/lib/bgp/mrt/reader';
import { mrtItemToEvents } from '@/lib/bgp/route-events';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { openMrtSource } from '@/lib/sources/mrt/open';

const repoRoot = path.resolve(import.meta.dirname, '..');
const FIX = path.resolve(repoRoot, '../shared/fixtures/mrt/bgpdump/test_data');
const DEFAULT_FILES = [path.join(FIX, 'bview.20020722.2337.gz'), path.join(FIX, 'updates.et-header.2015.gz')];
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 5;
type Mode = 'batches' | 'items' | 'events';

interface Result {
  records: number;
  routes: number;
  bytes: number;
  sec: number;
  cpuSec: number;
  maxRssKb: number;
}

async function worker(file: string, mode: Mode): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let records = 0;
  let routes = 0;
  let bytes = 0;
  let last = -1;
  const count = (it: MrtItem): void => {
    routes += routesOf(it);
    if (it.record.index !== last) {
      last = it.record.index;
      records++;
      bytes += it.record.length + 12;
    }
  };
  if (mode === 'batches') {
    for await (const batch of readMrtBatches(await openMrtSource(file))) for (const it of batch) count(it);
  } else if (mode === 'events') {
    // Routes counted here are events (a prefix repeated in one UPDATE gives one).
    const ctx = { collector: 'rrc00', source: 'bgpstream_bgp' as const, storeRaw: false };
    for await (const batch of readMrtBatches(await openMrtSource(file))) {
      for (const it of batch) {
        const n = routesOf(it);
        count(it);
        routes += mrtItemToEvents(it, ctx).length - n;
      }
    }
  } else {
    for await (const it of readMrt(await openMrtSource(file))) count(it);
  }
  const cpu = process.cpuUsage(cpu0);
  const r: Result = { records, routes, bytes, sec: (performance.now() - t0) / 1000, cpuSec: (cpu.user + cpu.system) / 1e6, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(r));
}

function routesOf(it: MrtItem): number {
  if (it.kind === 'rib') return 1;
  if (it.kind === 'update') return it.announced.length + it.withdrawn.length;
  return 0;
}

function runOurs(file: string, mode: string): Result {
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--worker', mode, file], { cwd: repoRoot, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString()) as Result;
}

function runBgpdump(file: string): { sec: number; cpuSec: number; maxRssKb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '/usr/bin/bgpdump', '-m', '-O', '/dev/null', file], { encoding: 'utf8' });
  const sec = (performance.now() - t0) / 1000;
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { sec, cpuSec: m ? Number(m[2]) + Number(m[3]) : NaN, maxRssKb: m ? Number(m[1]) : NaN };
}

/** Best wall time of the runs, with the lowest CPU time of the runs (each is noisy under load on its own). */
function best<T extends { sec: number; cpuSec: number }>(runs: T[]): T {
  const fastest = runs.reduce((a, b) => (b.sec < a.sec ? b : a));
  return { ...fastest, cpuSec: Math.min(...runs.map((r) => r.cpuSec)) };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--rounds' && all[i - 1] !== '--rounds');
  const files = args.length > 0 ? args : DEFAULT_FILES;
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; best of ${ROUNDS} interleaved runs each (wall and CPU minimum taken separately)`);
  for (const file of files) {
    if (!existsSync(file)) {
      console.log(`(missing: ${file})`);
      continue;
    }
    const lines = Number(execFileSync('sh', ['-c', `/usr/bin/bgpdump -m '${file}' 2>/dev/null | wc -l`]).toString().trim());
    // Rounds interleave the decoders, so load from other processes hits them alike.
    const runs = { bd: [] as ReturnType<typeof runBgpdump>[], batches: [] as Result[], items: [] as Result[], events: [] as Result[] };
    for (let i = 0; i < ROUNDS; i++) {
      runs.bd.push(runBgpdump(file));
      runs.batches.push(runOurs(file, 'batches'));
      runs.items.push(runOurs(file, 'items'));
      runs.events.push(runOurs(file, 'events'));
    }
    const bd = best(runs.bd);
    const batches = best(runs.batches);
    const items = best(runs.items);
    const events = best(runs.events);
    console.log(`\n${path.basename(file)}: ${fmt(batches.records)} records, ${fmt(batches.routes)} routes (bgpdump lines ${fmt(lines)}), ${(batches.bytes / 1e6).toFixed(1)} MB uncompressed`);
    console.log(`  bgpdump -m > /dev/null   ${bd.sec.toFixed(3)} s  ${fmt(lines / bd.sec).padStart(10)} lines/s  ${fmt(batches.records / bd.sec).padStart(9)} records/s  ${(batches.bytes / 1e6 / bd.sec).toFixed(1).padStart(6)} MB/s  peak RSS ${fmt(bd.maxRssKb / 1024)} MB  (cpu ${bd.cpuSec.toFixed(2)} s)`);
    const rows = [['ours, readMrtBatches', batches], ['ours, readMrt (per item)', items], ['ours, → BgpEvents', events]] as const;
    for (const [name, r] of rows) {
      console.log(
        `  ${name.padEnd(24)} ${r.sec.toFixed(3)} s  ${fmt(r.routes / r.sec).padStart(10)} routes/s ${fmt(r.records / r.sec).padStart(9)} records/s  ${(r.bytes / 1e6 / r.sec).toFixed(1).padStart(6)} MB/s  peak RSS ${fmt(r.maxRssKb / 1024)} MB  (cpu ${r.cpuSec.toFixed(2)} s)  ratio wall ${(bd.sec / r.sec).toFixed(2)}x, cpu ${(bd.cpuSec / r.cpuSec).toFixed(2)}x`,
      );
    }
  }
}

if (process.argv[2] === '--worker') await worker(process.argv[4]!, process.argv[3] as Mode);
else await main();
