// How much a VRP index rebuild stalls the event loop that ingests routes: the same 700,000-VRP
// union (seeded, lib/rpki/synthetic.ts) built in process (VrpIndex.build: one synchronous call)
// and on the worker thread (VrpIndexBuilder: chunks posted one per turn, typed arrays transferred
// back), with a 1 ms timer chain sampling the main thread's event-loop delay; loading a
// changed 700k-VRP JSON export in process and on its worker thread; plus the
// full re-validation of a route table that follows a rebuild in the worker service (time-sliced
// now, 200k-slot chunks before).
//
//   node --expose-gc --import tsx bench/rpki-rebuild.ts [--vrps 700000] [--rounds 3] [--pairs 800000]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { pino } from 'pino';
import type { BgpEvent } from '@/lib/bgp/types';
import { buildInProcess, VrpIndexBuilder } from '@/lib/rpki/index-builder';
import { revalidateInSlices } from '@/lib/rpki/revalidate';
import { createJsonVrpSource } from '@/lib/rpki/sources/json-source';
import { RouteTable } from '@/lib/rpki/route-table';
import { syntheticRoutes, syntheticVrps } from '@/lib/rpki/synthetic';
import { validateEvents } from '@/lib/rpki/validate-events';
import type { VrpIndex } from '@/lib/rpki/vrp-index';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const N_VRPS = arg('vrps', 700_000);
const ROUNDS = arg('rounds', 3);
const N_PAIRS = arg('pairs', 800_000);

const ms = (ns: number) => (ns / 1e6).toFixed(1);

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Runs `work` while a 1 ms timer chain records the gaps between its ticks (the event-loop delay
 * any timer-driven work such as the collector's flush would see). Sampling goes on until the first
 * tick after the work has finished, so a block at the very end is counted too.
 */
async function measure(label: string, work: () => Promise<unknown>): Promise<void> {
  // Collect the set-up's garbage first, so its collection is not billed to the work measured.
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const gaps: number[] = [];
  let last = performance.now();
  let done = false;
  let stopped: () => void = () => undefined;
  const finished = new Promise<void>((r) => (stopped = r));
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (done) stopped();
    else setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  done = true;
  await finished;
  gaps.sort((a, b) => a - b);
  const p99 = gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))] ?? 0;
  const mean = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(`${label.padEnd(44)} wall ${wall.toFixed(0).padStart(6)} ms   timer gap max ${f(gaps.at(-1) ?? 0)} ms  p99 ${f(p99)} ms  mean ${f(mean)} ms`);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const vrps = syntheticVrps(N_VRPS, 1);
  const builder = new VrpIndexBuilder({ logger: pino({ level: 'warn' }) });
  // Warm-up: worker start (tsx transform of the worker module) and JIT on both sides.
  await builder.build(vrps.slice(0, 50_000));
  buildInProcess(vrps.slice(0, 50_000));
  let index: VrpIndex | null = null;
  // The noise floor: the same measurement with nothing to do (on a loaded machine the OS alone
  // delays the loop by tens of ms).
  await measure('idle (3 s, nothing running): noise floor', () => new Promise((r) => setTimeout(r, 3_000)));
  for (let r = 1; r <= ROUNDS; r++) {
    await measure(`round ${r}: in process (VrpIndex.build)`, async () => {
      index = buildInProcess(vrps).index;
    });
    await measure(`round ${r}: worker thread (VrpIndexBuilder)`, async () => {
      index = (await builder.build(vrps)).index;
    });
  }
  await builder.close();
  // Loading a changed 700k-VRP JSON export (rpki-client shape): parse in process vs on the worker.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-bench-vrp-'));
  const file = path.join(dir, 'export.json');
  writeFileSync(file, JSON.stringify({ metadata: { buildtime: '2026-11-22T12:00:00Z' }, roas: vrps.map((v) => ({ asn: v.asn, prefix: v.prefix, maxLength: v.maxLength, ta: 'ripe' })) }));
  for (const offThread of [false, true]) {
    const src = createJsonVrpSource('file', file, { offThread });
    await measure(`JSON export load, ${offThread ? 'worker thread (now)' : 'in process (before)'}`, () => src.load(Date.UTC(2026, 10, 22)));
    await src.close();
  }
  rmSync(dir, { recursive: true, force: true });
  // The re-validation that follows a rebuild in the worker service (chunks of 200k slots).
  const table = new RouteTable();
  const routes = syntheticRoutes(index!.allVrps(), N_PAIRS, 2);
  const events = routes.map((x, i) => ({ eventType: 'announcement', prefix: x.prefix, originAsn: x.origin, collector: 'rrc00', peerIp: `10.0.${(i % 500) >> 8}.${i % 256}`, timestampUs: i }) as unknown as BgpEvent);
  for (let off = 0; off < events.length; off += 5_000) {
    const batch = events.slice(off, off + 5_000);
    table.observe(batch, validateEvents(batch, index!));
  }
  const other = buildInProcess(index!.allVrps().filter((_, i) => i % 50 !== 0)).index;
  await measure(`full re-validation, ${table.size.toLocaleString('en-US')} pairs, sliced`, () => revalidateInSlices(table, other));
  // What the service did before: 200k slots per turn.
  const again = buildInProcess(index!.allVrps()).index;
  await measure('  same, 200k-slot chunks (before)', async () => {
    for (let from = 0; from < table.slotCount; from += 200_000) {
      table.revalidate(again, from, from + 200_000);
      await new Promise<void>((r) => setImmediate(r));
    }
  });
}

void main();
