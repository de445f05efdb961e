// MRT decode throughput, our streaming reader vs `bgpdump -m > /dev/null`, on the same files in
// one run, decompression included (gzip through zlib for us, bgpdump's own zlib). Each of our runs
// is a fresh child process so its peak RSS is its own; bgpdump's peak RSS comes from /usr/bin/time.
//
//   npx tsx bench/mrt-parse.ts [file ...]   (default: the largest RIB and update fixtures)
//
// Counted: records (MRT records), routes (RIB entries + announced + withdrawn prefixes: what
// bgpdump prints one line for), MB of uncompressed MRT.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMrt, readMrtBatches } from '@/lib/bgp/mrt/reader';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { openMrtSource } from '@/lib/sources/mrt/open';

const repoRoot = path.resolve(import.meta.dirname, '..');
const FIX = path.resolve(repoRoot, '../shared/fixtures/mrt/bgpdump/test_data');
const DEFAULT_FILES = [path.join(FIX, 'bview.20020722.2337.gz'), path.join(FIX, 'updates.et-header.2015.gz')];
const ROUNDS = 3;

interface Result {
  records: number;
  routes: number;
  bytes: number;
  sec: number;
  cpuSec: number;
  maxRssKb: number;
}

async function worker(file: string, mode: 'batches' | 'items'): Promise<void> {
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

function best<T extends { sec: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.sec < a.sec ? b : a));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_FILES;
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; best of ${ROUNDS} runs each`);
  for (const file of files) {
    if (!existsSync(file)) {
      console.log(`(missing: ${file})`);
      continue;
    }
    const lines = Number(execFileSync('sh', ['-c', `/usr/bin/bgpdump -m '${file}' 2>/dev/null | wc -l`]).toString().trim());
    const bd = best(Array.from({ length: ROUNDS }, () => runBgpdump(file)));
    const batches = best(Array.from({ length: ROUNDS }, () => runOurs(file, 'batches')));
    const items = best(Array.from({ length: ROUNDS }, () => runOurs(file, 'items')));
    console.log(`\n${path.basename(file)}: ${fmt(batches.records)} records, ${fmt(batches.routes)} routes (bgpdump lines ${fmt(lines)}), ${(batches.bytes / 1e6).toFixed(1)} MB uncompressed`);
    console.log(`  bgpdump -m > /dev/null   ${bd.sec.toFixed(3)} s  ${fmt(lines / bd.sec).padStart(10)} lines/s  ${fmt(batches.records / bd.sec).padStart(9)} records/s  ${(batches.bytes / 1e6 / bd.sec).toFixed(1).padStart(6)} MB/s  peak RSS ${fmt(bd.maxRssKb / 1024)} MB  (cpu ${bd.cpuSec.toFixed(2)} s)`);
    for (const [name, r] of [['ours, readMrtBatches', batches], ['ours, readMrt (per item)', items]] as const) {
      console.log(
        `  ${name.padEnd(24)} ${r.sec.toFixed(3)} s  ${fmt(r.routes / r.sec).padStart(10)} routes/s ${fmt(r.records / r.sec).padStart(9)} records/s  ${(r.bytes / 1e6 / r.sec).toFixed(1).padStart(6)} MB/s  peak RSS ${fmt(r.maxRssKb / 1024)} MB  (cpu ${r.cpuSec.toFixed(2)} s)  ratio wall ${(bd.sec / r.sec).toFixed(2)}x, cpu ${(bd.cpuSec / r.cpuSec).toFixed(2)}x`,
      );
    }
  }
}

if (process.argv[2] === '--worker') await worker(process.argv[4]!, process.argv[3] as 'batches' | 'items');
else await main();
