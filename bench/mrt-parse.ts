// MRT decode throughput, our streaming reader vs `bgpdump -m > /dev/null`, on the same files in
// one run, decompression included (gzip through zlib for us, bgpdump's own zlib). Each of our runs
// is a fresh child process so its peak RSS is its own; bgpdump's peak RSS comes from /usr/bin/time.
//
//   npx tsx bench/mrt-parse.ts [--rounds N] [--runner bundle|tsx] [--node-flags "..."] [file ...]
//   (default: the largest RIB and update fixtures, 5 rounds, bundle)
//
// Two times per run of ours: "process" = the whole child process (spawn to exit: node start-up,
// module loading, decoding, exit), comparable to bgpdump's whole run; "in-process" = open of the
// file to the last record, inside the child (JIT warm-up included, start-up and loading not).
// The runner: `bundle` (default) runs the worker as one JS file bundled by esbuild (tsx's own
// dependency) under plain node; `tsx` runs it through tsx (adds ~0.2-0.3 s of start-up CPU to
// transpile the modules). --node-flags passes V8/node flags to the child (e.g.
// "--max-semi-space-size=32") to measure their effect; none by default.
//
// Modes: batches = readMrtBatches items (what a consumer gets), items = readMrt one by one,
// events = readMrtBatches + mrtItemToEvents (the backfill path: BgpEvents with dedup keys).
//
// Counted: records (MRT records), routes (RIB entries + announced + withdrawn prefixes: what
// bgpdump prints one line for), MB of uncompressed MRT.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMrt, readMrtBatches } from '@/lib/bgp/mrt/reader';
import { mrtItemToEvents } from '@/lib/bgp/route-events';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { openMrtSource } from '@/lib/sources/mrt/open';

const repoRoot = path.resolve(import.meta.dirname, '..');
const FIX = path.resolve(repoRoot, '../shared/fixtures/mrt/bgpdump/test_data');
const DEFAULT_FILES = [path.join(FIX, 'bview.20020722.2337.gz'), path.join(FIX, 'updates.et-header.2015.gz')];
function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const ROUNDS = Number(option('--rounds', '5'));
const RUNNER = option('--runner', 'bundle');
const NODE_FLAGS = option('--node-flags', '').split(' ').filter((f) => f !== '');
type Mode = 'batches' | 'items' | 'events';

interface Result {
  records: number;
  routes: number;
  bytes: number;
  /** In-process: open of the file to the last record. */
  sec: number;
  cpuSec: number;
  /** Whole process: wall from spawn to exit (set by the parent), CPU of the whole child. */
  procSec: number;
  procCpuSec: number;
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
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const all = process.cpuUsage();
  const r: Result = { records, routes, bytes, sec, cpuSec: (cpu.user + cpu.system) / 1e6, procSec: NaN, procCpuSec: (all.user + all.system) / 1e6, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(r));
}

function routesOf(it: MrtItem): number {
  if (it.kind === 'rib') return 1;
  if (it.kind === 'update') return it.announced.length + it.withdrawn.length;
  return 0;
}

/** The worker as one bundled JS file (no transpiling at start-up), or null to run it through tsx. */
async function bundleWorker(): Promise<string | null> {
  if (RUNNER !== 'bundle') return null;
  // esbuild comes with tsx; it is not a dependency of the project, so it is optional here.
  const esbuild = (await import('esbuild').catch(() => null)) as typeof import('esbuild') | null;
  if (!esbuild) {
    console.log('(esbuild not found: running the worker through tsx)');
    return null;
  }
  const dir = path.join(repoRoot, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'mrt-parse-worker.mjs');
  await esbuild.build({ entryPoints: [import.meta.filename], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning', tsconfig: path.join(repoRoot, 'tsconfig.json') });
  return outfile;
}

let workerFile: string | null = null;

function runOurs(file: string, mode: string): Result {
  const args = workerFile ? [...NODE_FLAGS, workerFile] : [...NODE_FLAGS, '--import', 'tsx', import.meta.filename];
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [...args, '--worker', mode, file], { cwd: repoRoot, maxBuffer: 1 << 20 });
  const procSec = (performance.now() - t0) / 1000;
  return { ...(JSON.parse(out.toString()) as Result), procSec };
}

function runBgpdump(file: string): { sec: number; cpuSec: number; maxRssKb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '/usr/bin/bgpdump', '-m', '-O', '/dev/null', file], { encoding: 'utf8' });
  const sec = (performance.now() - t0) / 1000;
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { sec, cpuSec: m ? Number(m[2]) + Number(m[3]) : NaN, maxRssKb: m ? Number(m[1]) : NaN };
}

/** Each time is the minimum over the runs, taken separately (each is noisy under load on its own). */
function best<T extends { sec: number; cpuSec: number; procSec?: number; procCpuSec?: number }>(runs: T[]): T {
  const min = (f: (r: T) => number | undefined): number => Math.min(...runs.map((r) => f(r) ?? NaN));
  const fastest = runs.reduce((a, b) => (b.sec < a.sec ? b : a));
  return { ...fastest, cpuSec: min((r) => r.cpuSec), procSec: min((r) => r.procSec), procCpuSec: min((r) => r.procCpuSec) };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const valued = new Set(['--rounds', '--runner', '--node-flags']);
  const args = process.argv.slice(2).filter((a, i, all) => !valued.has(a) && !valued.has(all[i - 1] ?? ''));
  const files = args.length > 0 ? args : DEFAULT_FILES;
  workerFile = await bundleWorker();
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; runner ${workerFile ? 'esbuild bundle' : 'tsx'}${NODE_FLAGS.length ? `, node flags ${NODE_FLAGS.join(' ')}` : ''}; best of ${ROUNDS} interleaved runs each (each time the minimum over the runs)`,
  );
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
    console.log(`\n${path.basename(file)}: ${fmt(batches.records)} records, ${fmt(batches.routes)} routes (bgpdump lines ${fmt(lines)}), ${(batches.bytes / 1e6).toFixed(1)} MB uncompressed`);
    console.log(`  bgpdump -m > /dev/null   process ${bd.sec.toFixed(3)} s (cpu ${bd.cpuSec.toFixed(3)} s)  ${fmt(lines / bd.sec).padStart(10)} lines/s  ${fmt(batches.records / bd.sec).padStart(9)} records/s  ${(batches.bytes / 1e6 / bd.sec).toFixed(1).padStart(6)} MB/s  peak RSS ${fmt(bd.maxRssKb / 1024)} MB`);
    const rows = [['ours, readMrtBatches', batches], ['ours, readMrt (per item)', best(runs.items)], ['ours, → BgpEvents', best(runs.events)]] as const;
    for (const [name, r] of rows) {
      console.log(
        `  ${name.padEnd(24)} process ${r.procSec.toFixed(3)} s (cpu ${r.procCpuSec.toFixed(3)} s), ratio ${(bd.sec / r.procSec).toFixed(2)}x / cpu ${(bd.cpuSec / r.procCpuSec).toFixed(2)}x;` +
          `  in-process ${r.sec.toFixed(3)} s (cpu ${r.cpuSec.toFixed(3)} s), ratio ${(bd.sec / r.sec).toFixed(2)}x / cpu ${(bd.cpuSec / r.cpuSec).toFixed(2)}x;` +
          `  in-process ${fmt(r.routes / r.sec)} routes/s ${fmt(r.records / r.sec)} records/s ${(r.bytes / 1e6 / r.sec).toFixed(1)} MB/s; peak RSS ${fmt(r.maxRssKb / 1024)} MB`,
      );
    }
  }
}

if (process.argv[2] === '--worker') await worker(process.argv[4]!, process.argv[3] as Mode);
else await main();
