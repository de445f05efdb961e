// How much a VRP index rebuild stalls the event loop that ingests routes: the same 700,000-VRP
// union (seeded, lib/rpki/synthetic.ts) built in process (VrpIndex.build: one synchronous call)
// and on the worker thread (VrpIndexBuilder: chunks posted one per turn, typed arrays transferred
// back), with perf_hooks.monitorEventLoopDelay sampling the main thread throughout, plus the
// full re-validation of a route table that follows a rebuild in the worker service (time-sliced
// now, 200k-slot chunks before).
//
//   node --expose-gc --import tsx bench/rpki-rebuild.ts [--vrps 700000] [--rounds 3] [--pairs 800000]

import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import { pino } from 'pino';
import type { BgpEvent } from '@/lib/bgp/types';
import { buildInProcess, VrpIndexBuilder } from '@/lib/rpki/index-builder';
import { revalidateInSlices } from '@/lib/rpki/revalidate';
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

async function measure(label: string, work: () => Promise<unknown>): Promise<void> {
  // Collect the set-up's garbage first, so its collection is not billed to the work measured.
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A ticking timer, like the collector's flush timer: the loop has work to come back to.
  const tick = setInterval(() => undefined, 1);
  h.enable();
  // The histogram measures from its first timer turn on: a block starting at once would be missed.
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  // Let the histogram see the last turn.
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(tick);
  console.log(`${label.padEnd(44)} wall ${wall.toFixed(0).padStart(6)} ms   event-loop delay max ${ms(h.max).padStart(7)} ms  p99 ${ms(h.percentile(99)).padStart(6)} ms  mean ${ms(h.mean).padStart(5)} ms`);
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
