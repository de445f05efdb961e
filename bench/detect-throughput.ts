// Detection at full-table scale (issue 5): the whole rule set with --prefixes baselined prefixes
// in memory, fed a realistic update mix, in batches as the detection worker feeds it.
//
//  1. A synthetic Internet (seeded): ~300 large transit ASes, 10,000 regional transits (2-4
//     upstreams, ~20 lateral neighbours each), 75,000 origin ASes (1-3 providers); prefix counts per
//     origin follow a Zipf law; 85 % IPv4 (/24 about 60 %) and 15 % IPv6 (/48 about 45 %); 2 % MOAS;
//     10 % prepended. --peers peers on 25 collectors: --full-peers carry ~97 % of the table, the
//     others a few prefixes each, Zipf-distributed (varied fan-out).
//  2. Baselines for every prefix in the BaselineCache (24h, 7d, 30d entries, loaded through
//     refresh() like the worker does), built from the paths the peers use (two per peer: the
//     usual one and an alternate seen in the last 30 days), and the AS link hints over all of them.
//  3. The route state holding the table (as after a checkpoint restore).
//  4. An update stream: path changes between known paths, re-announcements, withdrawals and
//     re-announcements of withdrawn routes, 1 % novel paths; plus injected anomalies: exact-prefix
//     hijacks, sub-prefix hijacks, a route leak (valley through a regional transit) and an outage
//     of one origin. Events/s is measured after a warm-up, over the processBatch calls only (the
//     generator is not timed); CPU seconds of the process over the same calls are given too.
//  5. Memory (V8 heap + ArrayBuffers after GC) per part, and what was detected, so a broken
//     detector cannot look fast.
//
//   node --expose-gc --max-old-space-size=8192 --import tsx bench/detect-throughput.ts \
//       [--prefixes 1000000] [--peers 1500] [--full-peers 20] [--events 1000000] [--warmup 200000]
//       [--batch 2000] [--rate 5000 x prefixes / 1M] [--seed 1] [--packed] [--windows 24h,7d,30d]

import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { AsLinkTable } from '@/lib/baseline/as-link-table';
import { BaselineCache, type BaselineRow, type BaselineSource } from '@/lib/baseline/cache';
import { encodeBaselineParts } from '@/lib/baseline/codec';
import { bucketOf } from '@/lib/baseline/histogram';
import { BASELINE_WINDOWS } from '@/lib/baseline/types';
import { canonicalPrefix } from '@/lib/bgp/prefix';
import type { BgpEvent } from '@/lib/bgp/types';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { RouteState } from '@/lib/detect/route-state';
import type { Anomaly } from '@/lib/detect/types';
import { mulberry32 } from '@/lib/util/seeded-random';

const { values: args } = parseArgs({
  options: {
    prefixes: { type: 'string', default: '1000000' },
    peers: { type: 'string', default: '1500' },
    'full-peers': { type: 'string', default: '20' },
    events: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '2000' },
    rate: { type: 'string' },
    seed: { type: 'string', default: '1' },
    /** Keep cache entries in the database's packed form (the size before compaction). */
    packed: { type: 'boolean', default: false },
    /** Windows the cache keeps (comma-separated; default all three, as the bench's title promises). */
    windows: { type: 'string', default: '24h,7d,30d' },
  },
});
const N_PREFIXES = Number(args.prefixes);
const N_PEERS = Number(args.peers);
const N_FULL = Number(args['full-peers']);
const N_EVENTS = Number(args.events);
const N_WARMUP = Number(args.warmup);
const BATCH = Number(args.batch);
// Event-time rate of the stream: 5,000 updates/s for the full table, proportionally less for a smaller one.
const RATE = args.rate ? Number(args.rate) : Math.max(100, Math.round((5000 * N_PREFIXES) / 1e6));
const SEED = Number(args.seed);

const gcFn = (globalThis as { gc?: () => void }).gc;
if (!gcFn) console.log('(run with node --expose-gc for exact memory figures)');
const mem = (): number => {
  gcFn?.();
  gcFn?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const perPrefix = (b: number) => `${Math.round(b / N_PREFIXES)} B/prefix`;
const log = (s: string) => console.log(s);

/** Integer hash of up to three numbers (murmur3 finalizer): the world's deterministic choices. */
function h32(a: number, b = 0, c = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9 ^ SEED, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The same key as lib/baseline/path-key.ts (md5 of the collapsed path), through the one-shot hash. */
function pathKeyOf(path: readonly number[]): number {
  let text = '';
  let last = -1;
  for (const a of path) if (a !== last) (text += text === '' ? `${a}` : ` ${a}`), (last = a);
  return Number.parseInt(hash('md5', text, 'hex').slice(0, 8), 16) | 0;
}

/** Zipf sampler over ranks 0..n-1 (weight 1 / (rank + 1)^s). */
function zipf(n: number, s: number): (u: number) => number {
  const cum = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) cum[i] = t += 1 / (i + 1) ** s;
  return (u) => {
    const x = u * t;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

// ---------------------------------------------------------------- the AS graph
const rnd = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const N_L1 = 300;
const N_L2 = 10_000;
const N_ORIG = 75_000;
const L1 = (i: number) => 1_000 + i;
const L2 = (i: number) => 10_000 + i;
const ORIG = (i: number) => (i < 60_000 ? 20_000 + i : 200_000 + i);
const isL1 = (asn: number) => asn >= 1_000 && asn < 1_000 + N_L1;
const l1Pick = zipf(N_L1, 0.8);
const l2Up: number[][] = Array.from({ length: N_L2 }, () => [...new Set(Array.from({ length: int(2, 4) }, () => L1(l1Pick(rnd()))))]);
const l2Lat: number[][] = Array.from({ length: N_L2 }, (_, i) => Array.from({ length: 20 }, () => L2((i + int(1, N_L2 - 1)) % N_L2)));
const l2Pick = zipf(N_L2, 0.7);
const origProv: number[][] = Array.from({ length: N_ORIG }, () =>
  [...new Set(Array.from({ length: int(1, 3) }, () => (rnd() < 0.1 ? L1(l1Pick(rnd())) : L2(l2Pick(rnd())))))],
);
const origIndex = (asn: number) => (asn >= 200_000 ? asn - 200_000 : asn - 20_000);
const customersOf = new Map<number, number>();
for (const provs of origProv) for (const p of provs) customersOf.set(p, (customersOf.get(p) ?? 0) + 1);

// Peers: 30 % are large transits, 20 % regional transits, the rest networks of their own with an upstream.
const peerAsn = new Uint32Array(N_PEERS);
const peerUp = new Uint32Array(N_PEERS);
const peerIp: string[] = [];
const peerCollector: string[] = [];
for (let j = 0; j < N_PEERS; j++) {
  const u = rnd();
  peerAsn[j] = u < 0.3 ? L1(l1Pick(rnd())) : u < 0.5 ? L2(int(0, N_L2 - 1)) : 90_000 + int(0, 999);
  peerUp[j] = L1(l1Pick(rnd()));
  peerIp.push(j % 3 === 2 ? `2001:7f8:${(j >> 8).toString(16)}::${(j & 255).toString(16)}` : `192.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`);
  peerCollector.push(`rrc${String(j % 25).padStart(2, '0')}`);
}
const peerAsnSet = new Set(peerAsn);

// ---------------------------------------------------------------- the prefixes
function v4Len(u: number): number {
  return u < 0.6 ? 24 : u < 0.68 ? 23 : u < 0.8 ? 22 : u < 0.85 ? 21 : u < 0.9 ? 20 : u < 0.93 ? 19 : u < 0.96 ? 16 : int(8, 18);
}
function v6Len(u: number): number {
  return u < 0.45 ? 48 : u < 0.65 ? 32 : u < 0.75 ? 44 : u < 0.83 ? 40 : u < 0.88 ? 36 : u < 0.92 ? 29 : u < 0.95 ? 47 : int(33, 46);
}
const v4Text = (addr: number, len: number) => {
  const a = len === 0 ? 0 : (addr & (~0 << (32 - len))) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`;
};
function v6Text(hi: number, lo: number, len: number): string {
  const g = [0x2000 | ((hi >>> 16) & 0x0fff), hi & 0xffff, (lo >>> 16) & 0xffff, lo & 0xffff, 0, 0, 0, 0].map((x, k) =>
    len <= 16 * k ? 0 : len >= 16 * (k + 1) ? x : x & (0xffff << (16 * (k + 1) - len)) & 0xffff,
  );
  return canonicalPrefix(`${g.map((x) => x.toString(16)).join(':')}/${len}`);
}

const prefixes: string[] = [];
const prefixLen = new Uint8Array(N_PREFIXES);
const prefixAddr = new Uint32Array(N_PREFIXES); // v4 network address (v6: 0)
const isV6 = new Uint8Array(N_PREFIXES);
const origin = new Uint32Array(N_PREFIXES);
const origin2 = new Uint32Array(N_PREFIXES); // MOAS second origin, 0 when none
const prepend = new Uint8Array(N_PREFIXES);
const taken = new Set<string>();
const memBeforePrefixes = mem();
const origPick = zipf(N_ORIG, 0.8);
const origShuffle = Uint32Array.from({ length: N_ORIG }, (_, i) => i);
for (let i = N_ORIG - 1; i > 0; i--) {
  const k = Math.floor(rnd() * (i + 1));
  [origShuffle[i], origShuffle[k]] = [origShuffle[k]!, origShuffle[i]!];
}
for (let i = 0; i < N_PREFIXES; i++) {
  let text: string;
  const v6 = rnd() < 0.15;
  do {
    if (v6) {
      text = v6Text(Math.floor(rnd() * 2 ** 28), Math.floor(rnd() * 2 ** 32), v6Len(rnd()));
    } else {
      const len = v4Len(rnd());
      const addr = (int(1, 223) * 2 ** 24 + Math.floor(rnd() * 2 ** 24)) >>> 0;
      text = v4Text(addr, len);
      prefixLen[i] = len;
      prefixAddr[i] = Number(text.split('/')[0]!.split('.').reduce((s, o) => s * 256 + Number(o), 0));
    }
  } while (taken.has(text));
  taken.add(text);
  prefixes.push(text);
  isV6[i] = v6 ? 1 : 0;
  if (v6) prefixLen[i] = Number(text.split('/')[1]);
  origin[i] = ORIG(origShuffle[origPick(rnd())]!);
  origin2[i] = rnd() < 0.02 ? ORIG(int(0, N_ORIG - 1)) : 0;
  prepend[i] = rnd() < 0.1 ? int(1, 3) : 0;
}
const prefixIndex = new Map<string, number>(prefixes.map((p, i) => [p, i]));
const memPrefixText = mem() - memBeforePrefixes;

// ---------------------------------------------------------------- routes
const partialPick = zipf(N_PEERS - N_FULL, 1.0);
/** Peers carrying prefix i: most full-feed peers, plus a few partial ones (deterministic per prefix). */
function carriers(i: number, out: number[]): number[] {
  out.length = 0;
  for (let j = 0; j < N_FULL; j++) if (h32(i, j, 1) % 100 < 97) out.push(j);
  const r = mulberry32(h32(i, 7, 7));
  const k = Math.floor(-Math.log(1 - r()) * 6);
  for (let n = 0; n < k; n++) {
    const j = N_FULL + partialPick(r());
    if (!out.includes(j)) out.push(j);
  }
  return out;
}
const originFor = (i: number, j: number) => (origin2[i] !== 0 && (h32(i, j, 3) & 1) === 1 ? origin2[i]! : origin[i]!);

/** The AS path peer j uses to reach prefix i; salt 0 is the usual path, 1 the alternate, others novel. */
function pathFor(i: number, j: number, salt: number, out: number[] = []): number[] {
  out.length = 0;
  const o = originFor(i, j);
  const h = h32(i * 131 + salt, j, origIndex(o));
  const provs = origProv[origIndex(o)]!;
  const p = provs[(salt >= 2 ? h >>> 3 : salt) % provs.length]!;
  const mid: number[] = [];
  if (isL1(p)) mid.push(p);
  else {
    const ups = l2Up[p - 10_000]!;
    const u = ups[(h >>> 8) % ups.length]!;
    mid.push(u);
    if (((h >>> 16) & 15) === 0 || salt >= 2) mid.push(l2Lat[p - 10_000]![(h >>> 20) % 20]!);
    mid.push(p);
  }
  const pa = peerAsn[j]!;
  const at = mid.indexOf(pa);
  if (at >= 0) out.push(...mid.slice(at));
  else {
    out.push(pa);
    const t = peerUp[j]!;
    const tAt = mid.indexOf(t);
    if (isL1(pa) || t === pa) out.push(...mid);
    else if (tAt >= 0) out.push(...mid.slice(tAt));
    else out.push(t, ...mid);
  }
  if (out[out.length - 1] !== o) out.push(o);
  for (let k = 0; k < prepend[i]!; k++) out.push(o);
  return out;
}

// ---------------------------------------------------------------- baselines
// The stream sends half its updates to a churny 5 % of the table (every 19th prefix id, modulo).
const CHURNY = Math.max(1, Math.floor(N_PREFIXES * 0.05));
const isChurny = new Uint8Array(N_PREFIXES);
for (let k = 0; k < CHURNY; k++) isChurny[(k * 19) % N_PREFIXES] = 1;
const WITHDRAW_SHARE = 0.12;
const withdrawalsPerHour = (i: number) => (RATE * 3600 * WITHDRAW_SHARE * 0.5) / (isChurny[i] ? CHURNY : N_PREFIXES);
const HOURS_30D = 720;
const linkTotals = new AsLinkTable(600_000);
let baselinePaths = 0;
let baselineLinks = 0;

/** The packed 30-day sums of prefix i: every carrier's usual and alternate path, counted. */
function baselineOf(i: number): Uint8Array {
  const cs = carriers(i, []);
  const r = mulberry32(h32(i, 11, 13));
  const paths = new Map<number, number>();
  const links = new Map<number, number>();
  const lengths = new Map<number, number>();
  const origins = new Map<number, number>();
  const buf: number[] = [];
  let ann = 0;
  for (const j of cs) {
    for (let salt = 0; salt < 2; salt++) {
      const path = pathFor(i, j, salt, buf);
      const n = salt === 0 ? 20 + Math.floor(r() * 180) : 1 + Math.floor(r() * 20);
      ann += n;
      const key = pathKeyOf(path) >>> 0;
      paths.set(key, (paths.get(key) ?? 0) + n);
      lengths.set(path.length, (lengths.get(path.length) ?? 0) + n);
      const o = path[path.length - 1]!;
      origins.set(o, (origins.get(o) ?? 0) + n);
      for (let k = 0; k + 1 < path.length; k++) {
        const a = path[k]!;
        const b = path[k + 1]!;
        if (a === b) continue;
        const lk = a * 2 ** 20 + b; // synthetic ASNs < 2^20
        links.set(lk, (links.get(lk) ?? 0) + n);
        linkTotals.add(a, b, n);
      }
    }
  }
  baselinePaths += paths.size;
  baselineLinks += links.size;
  const hoursSeen = 100 + Math.floor(r() * 600);
  // Withdrawals at the rate the stream below produces for this prefix (churny ones far more often).
  const wd = Math.round(HOURS_30D * withdrawalsPerHour(i) * (0.5 + r()));
  const perHour = cs.length;
  const sorted2 = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
  return encodeBaselineParts({
    sums: [hoursSeen, ann, (ann * ann) / hoursSeen * 1.5, wd, (wd * wd) / hoursSeen * 2, ((ann + wd) ** 2 / hoursSeen) * 1.5, hoursSeen * perHour * 0.9, hoursSeen * Math.min(25, perHour)],
    origins: sorted2(origins),
    links: [...links].map(([k, n]) => [Math.floor(k / 2 ** 20), k % 2 ** 20, n] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    paths: sorted2(paths),
    lengths: sorted2(lengths),
    peerHist: sorted2(new Map([[bucketOf(perHour), Math.ceil(hoursSeen * 0.7)], [bucketOf(Math.max(1, perHour * 0.6)), Math.floor(hoursSeen * 0.3)]])),
    collHist: [[bucketOf(Math.min(25, perHour)), hoursSeen]],
  });
}

const asOfHour = Math.floor(Date.UTC(2026, 0, 31) / 3_600_000);
let lastEncoded: { i: number; state: Uint8Array } | undefined;
const source: BaselineSource = {
  getMeta: async () => ({ asOfHour, purgedSeq: 0, hoursCovered: { '24h': 24, '7d': 168, '30d': HOURS_30D } }),
  // seq = 3 * prefix + window + 1: one encoded entry serves the three windows of its prefix (the
  // rules read one window; the memory per entry is what the other two add).
  listChanges: async (after, limit) => {
    const rows: BaselineRow[] = [];
    for (let seq = after + 1; seq <= 3 * N_PREFIXES && rows.length < limit; seq++) {
      const i = Math.floor((seq - 1) / 3);
      if (lastEncoded?.i !== i) lastEncoded = { i, state: baselineOf(i) };
      rows.push({ window: BASELINE_WINDOWS[(seq - 1) % 3]!, prefix: prefixes[i]!, state: lastEncoded.state, seq });
    }
    return rows;
  },
  listLinkHints: async () => [...linkTotals.entries()].map(([from, to, count]) => ({ from, to, count })),
};

log(`detect-throughput: ${fmt(N_PREFIXES)} prefixes, ${N_PEERS} peers (${N_FULL} full-feed), seed ${SEED}; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
log(`prefix text (the strings, shared by cache and state here): ${mib(memPrefixText)} = ${perPrefix(memPrefixText)}`);
const m0 = mem();
const tLoad = performance.now();
const keepWindows = args.windows.split(',').map((w) => {
  const found = BASELINE_WINDOWS.find((x) => x === w.trim());
  if (!found) throw new Error(`--windows: unknown window ${w}`);
  return found;
});
const cache = new BaselineCache({ compact: !args.packed, windows: keepWindows });
await cache.refresh(source);
const mCache = mem() - m0;
const hintStats = cache.linkHintStats();
const hintBytes = Object.values(hintStats).reduce((s, x) => s + x.bytes, 0);
const arena = cache.arenaStats();
log(`baseline cache (${args.packed ? 'packed entries, as stored' : 'compact entries'}): ${fmt(cache.size)} prefixes x ${keepWindows.length} windows (${keepWindows.join(', ')}) loaded in ${((performance.now() - tLoad) / 1000).toFixed(1)} s; ${(baselinePaths / N_PREFIXES).toFixed(1)} paths, ${(baselineLinks / N_PREFIXES).toFixed(1)} links per entry`);
log(`  entries + index: ${mib(mCache - hintBytes)} = ${perPrefix(mCache - hintBytes)} (arena live ${mib(arena.liveBytes)} = ${Math.round(arena.liveBytes / N_PREFIXES / keepWindows.length)} B per window entry, chunks ${mib(arena.chunkBytes)})`);
const hint30 = hintStats[keepWindows[0]!];
log(`AS adjacency state (link hints): ${fmt(hint30?.adjacencies ?? 0)} distinct adjacencies, ${mib(hint30?.bytes ?? 0)} per window, ${mib(hintBytes)} for ${keepWindows.length} (${((hint30?.bytes ?? 0) / Math.max(1, hint30?.adjacencies ?? 0)).toFixed(1)} B per adjacency)`);

// ---------------------------------------------------------------- the route state
const ev = (prefix: string, j: number, path: number[] | null, t: number): BgpEvent => ({
  source: 'ris_live_bgp',
  // Fresh strings, as the normalizer hands them over (no cached hash, no shared identity).
  collector: Buffer.from(peerCollector[j]!, 'latin1').toString('latin1'),
  peerAsn: peerAsn[j]!,
  peerIp: Buffer.from(peerIp[j]!, 'latin1').toString('latin1'),
  eventType: path ? 'announcement' : 'withdrawal',
  prefix: Buffer.from(prefix, 'latin1').toString('latin1'),
  prefixLength: Number(prefix.slice(prefix.indexOf('/') + 1)),
  originAsn: path ? path[path.length - 1]! : null,
  asPath: path ?? [],
  asPathSetMask: null,
  asPathLength: path ? path.length : 0,
  communities: path ? [`${path[0]}:100`] : [],
  nextHop: null,
  med: null,
  localPref: null,
  originAttribute: path ? 'igp' : null,
  aggregator: null,
  timestampUs: t,
  rawMessage: null,
  dedupKey: '0',
});

const m1 = mem();
const tState = performance.now();
const state = new RouteState({ initialPrefixes: N_PREFIXES });
let routes = 0;
{
  const cs: number[] = [];
  const e = ev('0.0.0.0/0', 0, [1], 0);
  for (let i = 0; i < N_PREFIXES; i++) {
    e.prefix = prefixes[i]!;
    for (const j of carriers(i, cs)) {
      e.peerIp = peerIp[j]!;
      e.collector = peerCollector[j]!;
      e.peerAsn = peerAsn[j]!;
      e.originAsn = originFor(i, j);
      state.apply(e);
      routes++;
    }
  }
}
const mState = mem() - m1;
log(`route state: ${fmt(routes)} routes (${(routes / N_PREFIXES).toFixed(1)} peers per prefix), ${fmt(state.blocksAllocated)} origin blocks, loaded in ${((performance.now() - tState) / 1000).toFixed(1)} s; ${mib(mState)} = ${perPrefix(mState)} (typed arrays ${mib(state.typedBytes())})`);

// ---------------------------------------------------------------- injected anomalies
const T0 = (asOfHour + 1) * 3_600_000_000;
const pickPrefix = (ok: (i: number) => boolean) => {
  for (;;) {
    const i = int(0, N_PREFIXES - 1);
    if (ok(i)) return i;
  }
};
const used = new Set<number>();
const fresh = (i: number) => !used.has(i) && origin2[i] === 0 && (used.add(i), true);
type Injected = { slot: number; make: (t: number) => BgpEvent };
const injected: Injected[] = [];
const span = N_EVENTS;
const slotAt = (frac: number) => N_WARMUP + Math.floor(frac * span);

const N_HIJACK = 20;
const hijacks: { prefix: string; hijacker: number }[] = [];
for (let k = 0; k < N_HIJACK; k++) {
  const i = pickPrefix(fresh);
  const hijacker = ORIG(int(0, N_ORIG - 1));
  hijacks.push({ prefix: prefixes[i]!, hijacker });
  const start = slotAt((k + 0.5) / N_HIJACK * 0.9);
  const cs = carriers(i, []);
  for (let n = 0; n < 8; n++) {
    const j = cs[n % cs.length]!;
    const provs = origProv[origIndex(hijacker)]!;
    const path = [peerAsn[j]!, peerUp[j]!, provs[0]!, hijacker].filter((a, x, all) => x === 0 || a !== all[x - 1]);
    injected.push({ slot: start + n * 50, make: (t) => ev(prefixes[i]!, j, path, t) });
  }
}

const N_SUB = 20;
const subHijacks: { prefix: string; cover: string; hijacker: number }[] = [];
for (let k = 0; k < N_SUB; k++) {
  const i = pickPrefix((x) => isV6[x] === 0 && prefixLen[x]! <= 22 && fresh(x));
  const sub = v4Text(prefixAddr[i]!, prefixLen[i]! + 1);
  if (prefixIndex.has(sub)) continue;
  const hijacker = ORIG(int(0, N_ORIG - 1));
  subHijacks.push({ prefix: sub, cover: prefixes[i]!, hijacker });
  const start = slotAt((k + 0.3) / N_SUB * 0.9);
  for (let n = 0; n < 6; n++) {
    const j = int(0, N_FULL - 1);
    const path = [peerAsn[j]!, peerUp[j]!, origProv[origIndex(hijacker)]![0]!, hijacker].filter((a, x, all) => x === 0 || a !== all[x - 1]);
    injected.push({ slot: start + n * 40, make: (t) => ev(sub, j, path, t) });
  }
}

// Route leak: a regional transit with two large-transit upstreams A and C passes routes it learned
// from C on to A (valley). Chosen among transits that are not RIS peers themselves.
let leaker = 0;
for (let p = 0; p < N_L2 && leaker === 0; p++) {
  const asn = L2(p);
  if (l2Up[p]!.length >= 2 && (customersOf.get(asn) ?? 0) >= 5 && !peerAsnSet.has(asn)) leaker = asn;
}
const [leakA, leakC] = l2Up[leaker - 10_000]!;
const N_LEAK = 100;
const leaked = new Set<string>();
{
  const start = slotAt(0.4);
  for (let k = 0; k < N_LEAK; k++) {
    const i = pickPrefix(fresh);
    leaked.add(prefixes[i]!);
    const o = origin[i]!;
    const p = origProv[origIndex(o)]![0]!;
    for (let n = 0; n < 4; n++) {
      const j = int(0, N_FULL - 1);
      const head = peerAsn[j] === leakA ? [leakA!] : [peerAsn[j]!, ...(isL1(peerAsn[j]!) || peerUp[j] === leakA ? [] : [peerUp[j]!]), leakA!];
      const path = [...head, leaker, leakC!, ...(p === leakC ? [] : [p]), o].filter((a, x, all) => x === 0 || a !== all[x - 1]);
      injected.push({ slot: start + k * 30 + n * 7, make: (t) => ev(prefixes[i]!, j, path, t) });
    }
  }
}

// Outage: every route of one origin (with 60-400 prefixes) withdrawn within a few seconds.
const byOrigin = new Map<number, number[]>();
for (let i = 0; i < N_PREFIXES; i++) if (origin2[i] === 0) byOrigin.get(origin[i]!)?.push(i) ?? byOrigin.set(origin[i]!, [i]);
let outageOrigin = 0;
for (const [o, list] of byOrigin) {
  if (list.length >= 60 && list.length <= 400 && list.every((i) => !used.has(i))) {
    outageOrigin = o;
    break;
  }
}
const outagePrefixes = outageOrigin ? byOrigin.get(outageOrigin)! : [];
{
  const start = slotAt(0.7);
  let n = 0;
  for (const i of outagePrefixes) {
    used.add(i);
    for (const j of carriers(i, [])) injected.push({ slot: start + n++, make: (t) => ev(prefixes[i]!, j, null, t) });
  }
}
byOrigin.clear();
injected.sort((a, b) => a.slot - b.slot);

// ---------------------------------------------------------------- the update stream
const withdrawn: [number, number][] = [];
const gen = mulberry32(SEED + 99);
let nextInjected = 0;
let clock = T0;
let produced = 0;
const pathBuf: number[] = [];
const cs: number[] = [];
const mix = { pathChange: 0, reannounce: 0, withdraw: 0, novel: 0, injected: 0 };
function nextEvent(): BgpEvent {
  produced++;
  clock += Math.round(1e6 / RATE);
  const inj = injected[nextInjected];
  if (inj && inj.slot <= produced) {
    nextInjected++;
    mix.injected++;
    return inj.make(clock);
  }
  // Half the updates hit a churny 5 % of the table, the rest anywhere.
  const i = gen() < 0.5 ? (Math.floor(gen() * CHURNY) * 19) % N_PREFIXES : Math.floor(gen() * N_PREFIXES);
  const u = gen();
  if (u < 0.1 && withdrawn.length > 0) {
    const [wi, wj] = withdrawn.splice(Math.floor(gen() * withdrawn.length), 1)[0]!;
    mix.reannounce++;
    return ev(prefixes[wi]!, wj, [...pathFor(wi, wj, 0, pathBuf)], clock);
  }
  if (used.has(i)) return nextEvent(); // leave injected prefixes to their scenario
  const c = carriers(i, cs);
  const j = c[Math.floor(gen() * c.length)]!;
  if (u < 0.1 + WITHDRAW_SHARE) {
    if (withdrawn.length < 100_000) withdrawn.push([i, j]);
    mix.withdraw++;
    return ev(prefixes[i]!, j, null, clock);
  }
  const novel = u > 0.99;
  if (novel) mix.novel++;
  else mix.pathChange++;
  return ev(prefixes[i]!, j, [...pathFor(i, j, novel ? 2 + Math.floor(gen() * 8) : gen() < 0.75 ? 0 : 1, pathBuf)], clock);
}

const detector = new Detector(cache, DEFAULT_DETECTION_CONFIG, { state });
const anomalies = new Map<string, Anomaly>();
let candidates = 0;
const batch: BgpEvent[] = [];
let busyCpuUs = 0;
const runBatch = (): number => {
  batch.length = 0;
  for (let k = 0; k < BATCH; k++) batch.push(nextEvent());
  const c0 = process.cpuUsage();
  const t = performance.now();
  const r = detector.processBatch(batch);
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  busyCpuUs += c.user + c.system;
  candidates += r.candidates;
  for (const a of r.changed) anomalies.set(a.dedupKey, a);
  return ms;
};

let done = 0;
while (done < N_WARMUP) done += (runBatch(), BATCH);
log(`warm-up: ${fmt(done)} events`);
for (const k of Object.keys(mix) as (keyof typeof mix)[]) mix[k] = 0;
busyCpuUs = 0;
let busyMs = 0;
let measured = 0;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const load0 = os.loadavg()[0]!;
while (measured < N_EVENTS) {
  busyMs += runBatch();
  measured += BATCH;
}
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const eventSpanS = (measured * (1e6 / RATE)) / 1e6;
log(`stream: ${fmt(measured)} events measured in batches of ${BATCH} (${eventSpanS.toFixed(0)} s of event time at ${RATE}/s); mix ${JSON.stringify(mix)}`);
log(`  processBatch: ${(busyMs / 1000).toFixed(2)} s wall = ${fmt(measured / (busyMs / 1000))} events/s (${((busyMs * 1000) / measured).toFixed(2)} µs/event); ` +
  `${(busyCpuUs / 1e6).toFixed(2)} CPU s (process, GC threads included) = ${fmt(measured / (busyCpuUs / 1e6))} events per CPU second`);
log(`  whole measured loop (generator included): user ${(cpu.user / 1e6).toFixed(2)} s + system ${(cpu.system / 1e6).toFixed(2)} s CPU in ${(wallMs / 1000).toFixed(2)} s wall; load average ${load0.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}`);

const mAfter = mem();
detector.setConfig(DEFAULT_DETECTION_CONFIG); // drops the rule windows (fresh RuleMemory)
const mNoRules = mem();
const ruleBytes = mAfter - mNoRules;
// (The heap difference across the stream mixes the lifecycle with the bench's own structures, so only counts are given for it.)
log(`rule memory (windows at the end of the stream): ${mib(ruleBytes)} = ${perPrefix(ruleBytes)}; lifecycle: ${detector.tracker.openCount} open anomalies`);
const stateTotal = mState + hintBytes + Math.max(0, ruleBytes);
log(`state behind the rules (route state + adjacency + rule memory): ${mib(stateTotal)} = ${perPrefix(stateTotal)}; with the baseline cache and prefix text: ${mib(stateTotal + mCache - hintBytes + memPrefixText)}`);
log(`process: rss ${mib(process.memoryUsage().rss)}, heap + ArrayBuffers ${mib(mNoRules)}`);

// ---------------------------------------------------------------- what was detected
const all = [...anomalies.values()];
const has = (f: (a: Anomaly) => boolean) => all.some(f);
const hijackHits = hijacks.filter((h) => has((a) => a.type === 'origin_change' && a.prefix === h.prefix && a.originAsn === h.hijacker)).length;
const subHits = subHijacks.filter((h) => has((a) => a.type === 'more_specific' && a.prefix === h.prefix && a.originAsn === h.hijacker)).length;
const leakValley = [...leaked].filter((p) => has((a) => a.type === 'path_deviation' && a.prefix === p && a.entityKey.includes(`valley AS${leakA}-AS${leaker}-AS${leakC}`))).length;
const leakAny = [...leaked].filter((p) => has((a) => a.type === 'path_deviation' && a.prefix === p)).length;
const outagePrefixText = new Set(outagePrefixes.map((i) => prefixes[i]!));
const outageOriginHit = has((a) => a.type === 'mass_withdrawal' && a.entityKey === `AS${outageOrigin}`);
const outageVis = [...outagePrefixText].filter((p) => has((a) => a.type === 'visibility_drop' && a.prefix === p)).length;
log(`detected: exact-prefix hijacks ${hijackHits}/${hijacks.length} (origin_change), sub-prefix hijacks ${subHits}/${subHijacks.length} (more_specific), ` +
  `leak AS${leaker} (AS${leakA} <- AS${leakC}) valley on ${leakValley}/${leaked.size} prefixes (any path_deviation ${leakAny}), ` +
  `outage of AS${outageOrigin} (${outagePrefixes.length} prefixes): mass_withdrawal ${outageOriginHit ? 'yes' : 'NO'}, visibility_drop on ${outageVis}`);
const injectedPrefixes = new Set([...hijacks.map((h) => h.prefix), ...subHijacks.map((h) => h.prefix), ...leaked, ...outagePrefixText]);
const background = new Map<string, number>();
for (const a of all) {
  if (a.prefix !== null ? injectedPrefixes.has(a.prefix) : a.entityKey === `AS${outageOrigin}`) continue;
  background.set(a.type, (background.get(a.type) ?? 0) + 1);
}
log(`  ${fmt(candidates)} candidates, ${fmt(all.length)} anomalies; on prefixes not injected: ${JSON.stringify(Object.fromEntries(background))}`);
const ok = hijackHits === hijacks.length && subHits === subHijacks.length && leakValley > 0 && outageOriginHit;
if (!ok) {
  log('FAILED: an injected anomaly was not detected');
  process.exitCode = 1;
}
