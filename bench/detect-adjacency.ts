// The AS adjacency state behind the route-leak rules ("AS adjacencies seen", linkHint): memory
// and lookup rate of lib/baseline/as-link-table.ts against the nested Maps it replaced
// (Map<from, Map<to, count>>), for --adjacencies distinct directed pairs shaped like the Internet's:
// a few ASes with thousands of neighbours, most with one or two (Zipf degrees).
//
//   node --expose-gc --import tsx bench/detect-adjacency.ts [--adjacencies 500000] [--lookups 2000000]

import { parseArgs } from 'node:util';
import { AsLinkTable } from '@/lib/baseline/as-link-table';
import { mulberry32 } from '@/lib/util/seeded-random';

const { values: args } = parseArgs({
  options: { adjacencies: { type: 'string', default: '500000' }, lookups: { type: 'string', default: '2000000' } },
});
const N = Number(args.adjacencies);
const LOOKUPS = Number(args.lookups);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('(run with node --expose-gc for exact memory figures)');
const mem = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

// Pairs: "from" drawn with a Zipf-like skew over 75,000 ASes (big transits appear in many pairs), "to" uniform.
const r = mulberry32(17);
const ASES = 75_000;
const skewed = () => Math.floor(ASES * r() ** 3);
const from = new Uint32Array(N);
const to = new Uint32Array(N);
const count = new Uint32Array(N);
const seen = new Set<number>();
for (let i = 0; i < N; ) {
  const a = 1_000 + skewed();
  const b = 1_000 + Math.floor(r() * ASES);
  const k = a * 2 ** 20 + b;
  if (a === b || seen.has(k)) continue;
  seen.add(k);
  from[i] = a;
  to[i] = b;
  count[i] = 1 + Math.floor(r() ** 4 * 50_000);
  i++;
}
seen.clear();
const probes = Uint32Array.from({ length: 2 * LOOKUPS }, (_, k) => (k % 2 === 0 ? from : to)[Math.floor(r() * N)]!); // mostly misses on purpose: random from/to pairs
const hits = Uint32Array.from({ length: LOOKUPS }, () => Math.floor(r() * N));

function measure(label: string, build: () => { get: (a: number, b: number) => number }): void {
  const before = mem();
  const t0 = performance.now();
  const s = build();
  const buildMs = performance.now() - t0;
  const bytes = mem() - before;
  let sum = 0;
  // CPU time of the process, not wall time: the machine is shared.
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const t1 = process.cpuUsage();
  for (let i = 0; i < LOOKUPS; i++) sum += s.get(from[hits[i]!]!, to[hits[i]!]!);
  const hitMs = cpuMs(process.cpuUsage(t1));
  const t2 = process.cpuUsage();
  for (let i = 0; i < LOOKUPS; i++) sum += s.get(probes[2 * i]!, probes[2 * i + 1]!);
  const missMs = cpuMs(process.cpuUsage(t2));
  console.log(
    `${label}: ${mib(bytes)} = ${(bytes / N).toFixed(1)} B per adjacency; built in ${(buildMs / 1000).toFixed(2)} s; ` +
      `lookups per CPU second ${((LOOKUPS / hitMs) * 1000 / 1e6).toFixed(1)} M/s (present), ${((LOOKUPS / missMs) * 1000 / 1e6).toFixed(1)} M/s (random pairs) [checksum ${sum}]`,
  );
}

console.log(`${N.toLocaleString('en')} distinct directed adjacencies over ${ASES.toLocaleString('en')} ASes, ${LOOKUPS.toLocaleString('en')} lookups each way`);
measure('AsLinkTable (typed-array open addressing)', () => {
  const t = new AsLinkTable(N);
  for (let i = 0; i < N; i++) t.set(from[i]!, to[i]!, count[i]!);
  return t;
});
measure('nested Maps (before)', () => {
  const m = new Map<number, Map<number, number>>();
  for (let i = 0; i < N; i++) {
    let inner = m.get(from[i]!);
    if (!inner) m.set(from[i]!, (inner = new Map()));
    inner.set(to[i]!, count[i]!);
  }
  return { get: (a: number, b: number) => m.get(a)?.get(b) ?? 0 };
});
