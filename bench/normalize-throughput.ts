// Micro-benchmark of the collector's CPU path: frame text → parseServerFrame → normalize.
// Input: the real 1k-message firehose capture (../shared/fixtures, 2019, with `raw` hex) repeated,
// and the hand-written 2026-shape frames. Also times the zod-only parser as the baseline and
// the per-call cost of the dedup key and prefix canonicalisation. One thread, no I/O.
//
//   npx tsx bench/normalize-throughput.ts [seconds-per-case, default 2] [path of the 1k capture]

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { canonicalPrefix } from '@/lib/bgp/prefix';
import { parseServerFrame, parseServerFrameWithZod, type ParsedServerFrame } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage } from '@/lib/sources/ris-live/normalize';
import { RIS_2026_ANNOUNCEMENT, RIS_2026_IPV6_DUAL_NEXT_HOP, RIS_2026_WITHDRAWAL } from '@/lib/sources/ris-live/samples';

const seconds = Number(process.argv[2] ?? 2);
const MAX = 4 * 1024 * 1024;
const repoRoot = path.resolve(import.meta.dirname, '..');
const fixture = process.argv[3] ?? path.resolve(repoRoot, '../shared/fixtures/ris-live/morrowc-rislive-1k-msgs.ndjson');

/**
 * Runs whole passes until the time is up. Rates are per CPU second of this process
 * (process.cpuUsage), so other load on the machine inflates them less than wall time would;
 * the wall-clock rate is printed too.
 */
function timeLoop(run: () => number): { iterations: number; units: number; sec: number; cpuSec: number } {
  const warmEnd = performance.now() + 300; // JIT warm-up
  while (performance.now() < warmEnd) run();
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let iterations = 0;
  let units = 0;
  while (performance.now() - start < seconds * 1000) {
    units += run();
    iterations++;
  }
  const cpu = process.cpuUsage(cpu0);
  return { iterations, units, sec: (performance.now() - start) / 1000, cpuSec: (cpu.user + cpu.system) / 1e6 };
}

function pipeline(lines: string[], parse: (t: string, m: number) => ParsedServerFrame): { messages: number; sec: number; cpuSec: number } {
  let sink = 0;
  const r = timeLoop(() => {
    for (const line of lines) {
      const f = parse(line, MAX);
      if (f.kind === 'ris_message') sink += normalizeRisMessage(f.data, { storeRaw: true }).length;
    }
    return lines.length;
  });
  if (sink < 0) console.log(sink); // keeps the work observable to the JIT
  return { messages: r.units, sec: r.sec, cpuSec: r.cpuSec };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function report(name: string, lines: string[], parse: (t: string, m: number) => ParsedServerFrame): void {
  // Events per pass are fixed; count them once instead of inside the timed loop.
  let eventsPerPass = 0;
  for (const line of lines) {
    const f = parse(line, MAX);
    if (f.kind === 'ris_message') eventsPerPass += normalizeRisMessage(f.data, { storeRaw: true }).length;
  }
  const r = pipeline(lines, parse);
  const events = (r.messages / lines.length) * eventsPerPass;
  console.log(
    `${name.padEnd(44)} ${fmt(r.messages / r.cpuSec).padStart(9)} msg/cpu-s ${fmt(events / r.cpuSec).padStart(9)} events/cpu-s   (wall: ${fmt(events / r.sec)} events/s)`,
  );
}

function perCall(name: string, n: number, fn: (i: number) => unknown): void {
  const r = timeLoop(() => {
    for (let i = 0; i < n; i++) fn(i);
    return n;
  });
  console.log(`${name.padEnd(44)} ${((r.cpuSec * 1e9) / r.units).toFixed(0).padStart(9)} cpu-ns/call   (wall: ${((r.sec * 1e9) / r.units).toFixed(0)} ns)`);
}

const samples = [RIS_2026_ANNOUNCEMENT, RIS_2026_WITHDRAWAL, RIS_2026_IPV6_DUAL_NEXT_HOP];
console.log(`node ${process.version}, ${seconds}s per case, single thread, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (existsSync(fixture)) {
  const lines = readFileSync(fixture, 'utf8').split('\n').filter((l) => l.trim());
  const noRaw = lines.map((l) => l.replace(/"raw":"[0-9A-F]*",/, ''));
  report('1k firehose (2019, with raw): fast parser', lines, parseServerFrame);
  report('1k firehose (2019, with raw): zod parser', lines, parseServerFrameWithZod);
  report('1k firehose without raw: fast parser', noRaw, parseServerFrame);
  report('1k firehose without raw: zod parser', noRaw, parseServerFrameWithZod);
  const r = timeLoop(() => {
    for (const l of lines) parseServerFrame(l, MAX);
    return lines.length;
  });
  console.log(`${'1k firehose: parseServerFrame only'.padEnd(44)} ${fmt(r.units / r.cpuSec).padStart(9)} msg/cpu-s`);
  const z = timeLoop(() => {
    for (const l of lines) parseServerFrameWithZod(l, MAX);
    return lines.length;
  });
  console.log(`${'1k firehose: parseServerFrameWithZod only'.padEnd(44)} ${fmt(z.units / z.cpuSec).padStart(9)} msg/cpu-s`);
  const j = timeLoop(() => {
    for (const l of lines) JSON.parse(l);
    return lines.length;
  });
  console.log(`${'1k firehose: JSON.parse only'.padEnd(44)} ${fmt(j.units / j.cpuSec).padStart(9)} msg/cpu-s`);
} else {
  console.log(`(real capture not found at ${fixture}: 2026 samples only)`);
}
report('2026-shape samples: fast parser', samples, parseServerFrame);
report('2026-shape samples: zod parser', samples, parseServerFrameWithZod);

const keyInputs = Array.from({ length: 1024 }, (_, i) => ({
  collector: 'rrc21',
  peerIp: '2001:7f8:54::1:143',
  prefix: '2605:de00:bb::/48',
  eventType: 'announcement' as const,
  timestampUs: 1787141896080000 + i,
  asPath: [50628, 35280, 6453, 4637, 16509],
}));
perCall('computeDedupKey', 100_000, (i) => computeDedupKey(keyInputs[i & 1023]!));
const prefixes = ['173.82.228.0/24', '2605:de00:bb:0:0:0:0:0/48', '2a01:6e00::/32', '10.0.0.0/8'];
perCall('canonicalPrefix (v4/v6 mix)', 100_000, (i) => canonicalPrefix(prefixes[i & 3]!));
