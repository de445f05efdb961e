// Detection at Internet scale.
//  1. Route state (lib/detect/route-state.ts): memory per prefix with --prefixes prefixes, each
//     announced by --fanout peers out of --peers (5 % of prefixes with a second origin), apply()
//     rate, checkpoint size and restore time. The bitset width is fixed by --peers, so memory per
//     prefix does not grow with the fan-out; the fan-out only costs time here.
//  2. The full detector (route state + all rules + lifecycle) on the bundled demo stream, with a
//     baseline built from its quiet part: events per second.
//
//   node --expose-gc --import tsx bench/detect-state.ts [--prefixes 1000000] [--peers 1500] [--fanout 20]

import { parseArgs } from 'node:util';
import type { BgpEvent } from '@/lib/bgp/types';
import { generateDemoStream, incidentSchedule } from '@/lib/demo/generator';
import { baselineCacheFromEvents } from '@/lib/detect/baseline-from-events';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { RouteState } from '@/lib/detect/route-state';
import { parseServerFrame } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage } from '@/lib/sources/ris-live/normalize';

const { values: args } = parseArgs({
  options: { prefixes: { type: 'string', default: '1000000' }, peers: { type: 'string', default: '1500' }, fanout: { type: 'string', default: '20' } },
});
const nPrefixes = Number(args.prefixes);
const nPeers = Number(args.peers);
const fanout = Number(args.fanout);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mem = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function prefixText(i: number): string {
  return i % 10 === 9 ? `2001:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/48` : `${1 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`;
}

// One mutable event reused: the bench measures the state, not event allocation.
const e: BgpEvent = {
  source: 'ris_live_bgp', collector: 'rrc00', peerAsn: 0, peerIp: '', eventType: 'announcement', prefix: '', prefixLength: 24, originAsn: 0,
  asPath: [], asPathSetMask: null, asPathLength: 0, communities: [], nextHop: null, med: null, localPref: null, originAttribute: 'igp',
  aggregator: null, timestampUs: 0, rawMessage: null, dedupKey: '0',
};
const peerIps = Array.from({ length: nPeers }, (_, p) => `10.${p >> 8}.${p & 255}.1`);
const prefixes = Array.from({ length: nPrefixes }, (_, i) => prefixText(i));

const before = mem();
const state = new RouteState({ maxPeers: nPeers, initialPrefixes: nPrefixes });
let applied = 0;
const t0 = performance.now();
for (let i = 0; i < nPrefixes; i++) {
  e.prefix = prefixes[i]!;
  for (let k = 0; k < fanout; k++) {
    const p = (i * 7 + k * 131) % nPeers;
    e.peerIp = peerIps[p]!;
    e.collector = `rrc${String(p % 25).padStart(2, '0')}`;
    e.peerAsn = 64500 + p;
    e.originAsn = i % 20 === 0 && k % 2 === 1 ? 200_000 + (i % 1000) : 100_000 + (i % 50_000);
    state.apply(e);
    applied++;
  }
}
const buildMs = performance.now() - t0;
const after = mem();
const stateBytes = after - before;
console.log(`route state: ${nPrefixes} prefixes x ${fanout} peers (of ${nPeers}), ${state.blocksAllocated} origin blocks`);
console.log(`  apply: ${applied} events in ${(buildMs / 1000).toFixed(1)} s = ${Math.round(applied / (buildMs / 1000))} events/s`);
console.log(`  memory: ${mb(stateBytes)} total (${Math.round(stateBytes / nPrefixes)} B/prefix); typed arrays ${mb(state.typedBytes())} (${Math.round(state.typedBytes() / nPrefixes)} B/prefix, capacity incl. growth slack)`);
const t1 = performance.now();
const cp = state.checkpoint();
const cpMs = performance.now() - t1;
const t2 = performance.now();
const restored = RouteState.restore(cp);
const rsMs = performance.now() - t2;
console.log(`  checkpoint: ${mb(cp.length)} in ${cpMs.toFixed(0)} ms, restore ${rsMs.toFixed(0)} ms (${restored.prefixCount} prefixes)`);

// 2. Full rule set on the demo stream.
const opts = { seed: 20080224, baselineMinutes: 10, incidentMinutes: 5, prefixCount: 5000, peerCount: 80, messagesPerSecond: 400 };
const start = Date.UTC(2026, 0, 1);
const events: BgpEvent[] = [];
for (const line of generateDemoStream({ ...opts, startTimeMs: start })) {
  const f = parseServerFrame(line, 1 << 20);
  if (f.kind === 'ris_message') events.push(...normalizeRisMessage(f.data, { storeRaw: false }));
}
const cut = incidentSchedule({ startTimeMs: start, ...opts }).incidentStartMs * 1000;
const baselines = await baselineCacheFromEvents(events.filter((x) => x.timestampUs < cut));
const detector = new Detector(baselines, DEFAULT_DETECTION_CONFIG);
let changed = 0;
const t3 = performance.now();
for (let i = 0; i < events.length; i += 1000) changed += detector.processBatch(events.slice(i, i + 1000)).changed.length;
const detMs = performance.now() - t3;
console.log(`detector (all rules + lifecycle) on the demo stream: ${events.length} events in ${(detMs / 1000).toFixed(2)} s = ${Math.round(events.length / (detMs / 1000))} events/s, ${changed} anomaly updates`);
