// RPKI route origin validation benchmark (issue 4): time to load a 700,000-VRP JSON export and
// build the index, validations per second over 1,000,000 routes on one core, a full re-validation
// of a 1,000,000-pair route table, memory, and the same routes checked one HTTP request each
// (against a minimal local validity endpoint in a child process: a lower bound for any per-route
// HTTP validator) as a ratio. Seeded synthetic data (lib/rpki/synthetic.ts).
//
//   NODE_OPTIONS=--expose-gc npx tsx bench/rpki-validate.ts [--vrps 700000] [--routes 1000000] [--http 5000]

import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { BgpEvent } from '@/lib/bgp/types';
import { prefixToWords } from '@/lib/rpki/prefix-words';
import { RouteTable } from '@/lib/rpki/route-table';
import { syntheticRoutes, syntheticVrps, type SyntheticRoute } from '@/lib/rpki/synthetic';
import { validateEvents } from '@/lib/rpki/validate-events';
import { VrpIndex } from '@/lib/rpki/vrp-index';
import { parseVrpJson } from '@/lib/rpki/vrp-json';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const N_VRPS = arg('vrps', 700_000);
const N_ROUTES = arg('routes', 1_000_000);
const N_HTTP = arg('http', 5_000);
const VRP_SEED = 1;
const ROUTE_SEED = 2;

const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

function exportText(n: number): string {
  const vrps = syntheticVrps(n, VRP_SEED);
  const roas = vrps.map((v) => ({ asn: v.asn, prefix: v.prefix, maxLength: v.maxLength, ta: 'ripe', expires: 2_000_000_000 }));
  return JSON.stringify({ metadata: { buildtime: '2026-11-22T12:00:00Z', vrps: n }, roas });
}

/** Child process: a minimal per-route validity endpoint over the same index. */
async function serve(): Promise<void> {
  const doc = parseVrpJson(exportText(N_VRPS), Date.UTC(2026, 10, 22));
  const { index } = VrpIndex.build(doc.vrps);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const origin = u.searchParams.get('origin_asn');
    const r = index.validate(u.searchParams.get('prefix') ?? '', origin === '' || origin === null ? null : Number(origin));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { state: r.state, reason: r.reason, covering_vrps: r.covering } }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

async function httpRate(routes: readonly SyntheticRoute[], n: number, concurrency: number): Promise<{ perSec: number; states: Record<string, number> }> {
  const child = fork(import.meta.filename, ['--serve', '--vrps', String(N_VRPS)], { execArgv: import.meta.filename.endsWith('.ts') ? ['--import', 'tsx'] : [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const states: Record<string, number> = {};
  const get = (r: SyntheticRoute) =>
    new Promise<void>((resolve, reject) => {
      const q = new URLSearchParams({ prefix: r.prefix, origin_asn: r.origin === null ? '' : String(r.origin) });
      http
        .get({ host: '127.0.0.1', port, path: `/validity?${q}`, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            const s = (JSON.parse(body) as { data: { state: string } }).data.state;
            states[s] = (states[s] ?? 0) + 1;
            resolve();
          });
        })
        .on('error', reject);
    });
  // Warm-up, then the timed run.
  for (let i = 0; i < 200; i++) await get(routes[i]!);
  for (const k of Object.keys(states)) delete states[k];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await get(routes[next++]!);
    }),
  );
  const sec = (performance.now() - t0) / 1000;
  agent.destroy();
  child.kill();
  return { perSec: n / sec, states };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`VRPs ${fmt(N_VRPS)} (seed ${VRP_SEED}), routes ${fmt(N_ROUTES)} (seed ${ROUTE_SEED})\n`);

  // 1. Load: JSON text → zod-checked VRPs → index.
  const text = exportText(N_VRPS);
  console.log(`export: ${mb(text.length)} of JSON`);
  let index = VrpIndex.empty();
  for (let rep = 0; rep < 3; rep++) {
    gc?.();
    const mem0 = process.memoryUsage();
    const parse = timed(() => parseVrpJson(text, Date.UTC(2026, 10, 22)));
    const build = timed(() => VrpIndex.build(parse.value.vrps));
    index = build.value.index;
    gc?.();
    const mem1 = process.memoryUsage();
    console.log(
      `load #${rep + 1}: parse+check ${fmt(parse.wallMs)} ms, index build ${fmt(build.wallMs)} ms, total ${fmt(parse.wallMs + build.wallMs)} ms wall ` +
        `(${fmt(parse.cpuMs + build.cpuMs)} ms cpu); ${fmt(index.size)} VRPs (${fmt(build.value.duplicates)} duplicates merged); ` +
        `typed arrays ${mb(index.typedBytes)}, heap+buffers Δ ${gc ? mb(mem1.heapUsed + mem1.arrayBuffers - mem0.heapUsed - mem0.arrayBuffers) : 'n/a (run with --expose-gc)'}`,
    );
  }

  // 2. Validation of pre-parsed routes (the route table's layout), one core.
  const routes = syntheticRoutes(index.allVrps(), N_ROUTES, ROUTE_SEED);
  const n = routes.length;
  const fam = new Uint8Array(n);
  const len = new Uint8Array(n);
  const w = new Uint32Array(n * 4);
  const org = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = prefixToWords(routes[i]!.prefix);
    fam[i] = k.family;
    len[i] = k.length;
    w.set([k.w0, k.w1, k.w2, k.w3], i * 4);
    org[i] = routes[i]!.origin ?? -1;
  }
  const counts = [0, 0, 0, 0];
  const pass = (splitFamilies: boolean) => {
    counts.fill(0);
    for (const f of splitFamilies ? [4, 6] : [0]) {
      for (let i = 0; i < n; i++) {
        if (f !== 0 && fam[i] !== f) continue;
        const b = i * 4;
        const c = fam[i] === 4 ? index.validateV4(w[b]!, len[i]!, org[i]!) : index.validateV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!, len[i]!, org[i]!);
        counts[c]!++;
      }
    }
  };
  for (const split of [true, false]) {
    pass(split); // warm-up
    const runs = [0, 1, 2].map(() => timed(() => pass(split)));
    const best = runs.reduce((a, b) => (a.cpuMs < b.cpuMs ? a : b));
    console.log(
      `validate ${fmt(n)} pre-parsed routes (${split ? 'IPv4 pass then IPv6 pass' : 'mixed order'}): best ${fmt(best.wallMs)} ms wall, ` +
        `${fmt((n / best.cpuMs) * 1000)} validations/cpu-s (${fmt((n / best.wallMs) * 1000)}/s wall; runs ${runs.map((r) => fmt(r.wallMs)).join(', ')} ms)`,
    );
  }
  console.log(`  verdicts: not_found ${fmt(counts[0]!)}, valid ${fmt(counts[1]!)}, invalid (asn) ${fmt(counts[2]!)}, invalid (maxLength) ${fmt(counts[3]!)}`);

  // 3. Validation from events (prefix text parsed per event), as the collector hook does.
  // 500 peers, each announcing its share of the routes in runs of 20 (like UPDATEs with many prefixes).
  const peers = Array.from({ length: 500 }, (_, p) => `10.0.${p >>> 8}.${p & 255}`);
  const events = routes.map((r, i) => ({ eventType: 'announcement', prefix: r.prefix, originAsn: r.origin, collector: 'rrc00', peerIp: peers[Math.floor(i / 20) % 500]!, timestampUs: i }) as unknown as BgpEvent);
  validateEvents(events.slice(0, 100_000), index);
  const ve = timed(() => validateEvents(events, index));
  console.log(`validateEvents on ${fmt(n)} events (prefix text parsed each time): ${fmt(ve.wallMs)} ms wall, ${fmt((n / ve.cpuMs) * 1000)} events/cpu-s`);

  // 4. Route table: load 1M pairs, then a full re-validation against a changed VRP set.
  const table = new RouteTable({ maxPairs: 4_000_000, maxPeerRoutes: 4_000_000 });
  gc?.();
  const tm0 = process.memoryUsage();
  const obs = timed(() => {
    // In collector-sized batches.
    for (let off = 0; off < n; off += 5000) table.observe(events.slice(off, off + 5000), ve.value.subarray(off, off + 5000));
  });
  gc?.();
  const tm1 = process.memoryUsage();
  console.log(`route table: observe ${fmt(n)} announcements → ${fmt(table.size)} pairs in ${fmt(obs.wallMs)} ms wall (${fmt((n / obs.cpuMs) * 1000)} events/cpu-s); heap+buffers Δ ${gc ? mb(tm1.heapUsed + tm1.arrayBuffers - tm0.heapUsed - tm0.arrayBuffers) : 'n/a'}`);
  const changed = VrpIndex.build(index.allVrps().filter((_, i) => i % 50 !== 0)).index; // 2 % of VRPs withdrawn
  for (const [label, ix] of [['changed set (2 % VRPs removed)', changed], ['back to the original set', index]] as const) {
    const rv = timed(() => table.revalidate(ix));
    console.log(`full re-validation of ${fmt(table.size)} pairs, ${label}: ${fmt(rv.wallMs)} ms wall (${fmt(rv.cpuMs)} ms cpu), ${fmt(rv.value.length)} verdicts changed`);
  }

  // 5. The same routes one HTTP request each.
  if (N_HTTP > 0) {
    const inProc = (n / ve.cpuMs) * 1000;
    for (const c of [1, 16]) {
      const h = await httpRate(routes, N_HTTP, c);
      console.log(`HTTP per-route validity (${fmt(N_HTTP)} requests, keep-alive, concurrency ${c}): ${fmt(h.perSec)} routes/s → in-process validateEvents is ${fmt(inProc / h.perSec)}× faster (states ${JSON.stringify(h.states)})`);
    }
  }
}

if (process.argv.includes('--serve')) void serve();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
