// Seeded generator of the bundled demo stream: NDJSON lines, each a valid RIS Live server frame in
// the 2026 wire shape. A quiet baseline of churn over thousands of synthetic prefixes, seen by
// simulated peers at RIS-named collectors, then a compressed re-enactment of the 2008 YouTube /
// Pakistan Telecom hijack. Pure: no I/O, no clock; same options → byte-identical output.

import { z } from 'zod';
import { createRng, type Rng } from '@/lib/demo/prng';
import {
  buildTopology,
  drawPath,
  pickHot,
  PAKISTAN_TELECOM_ASN,
  PCCW_ASN,
  YOUTUBE_ASN,
  YOUTUBE_UPSTREAMS,
  type DemoOrigin,
  type DemoPeer,
  type DemoTopology,
} from '@/lib/demo/topology';
import { formatPeerStateFrame, formatUpdateFrame, MessageIds } from '@/lib/demo/wire';
import { INCIDENT_PREFIXES, incidentSchedule } from '@/lib/demo/incident';

export { DEMO_STREAM_META, INCIDENT_PREFIXES, incidentSchedule, type IncidentSchedule } from '@/lib/demo/incident';

/** 2026-01-01T00:00:00Z: a fixed default so the default stream is reproducible. */
export const DEFAULT_DEMO_START_MS = Date.UTC(2026, 0, 1);

export const demoOptionsSchema = z.object({
  seed: z.number().int().min(0).max(0xffffffff).default(20080224),
  startTimeMs: z.number().int().min(0).default(DEFAULT_DEMO_START_MS),
  baselineMinutes: z.number().min(0).max(24 * 60).default(10),
  incidentMinutes: z.number().min(1).max(24 * 60).default(5),
  prefixCount: z.number().int().min(10).max(500_000).default(5_000),
  peerCount: z.number().int().min(8).max(500).default(80),
  messagesPerSecond: z.number().positive().max(100_000).default(40),
});

export type DemoOptions = z.infer<typeof demoOptionsSchema>;
export type DemoOptionsInput = z.input<typeof demoOptionsSchema>;

interface Scheduled {
  t: number;
  seq: number;
  run: (t: number) => string[];
}

/** Min-heap on (t, seq): seq breaks ties in insertion order, which keeps the output deterministic. */
class EventQueue {
  private readonly items: Scheduled[] = [];
  private seq = 0;

  push(t: number, run: (t: number) => string[]): void {
    const item = { t, seq: this.seq++, run };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  peek(): Scheduled | undefined {
    return this.items[0];
  }

  pop(): Scheduled | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** "2a01:6e00::/48" → "2a01:6e00:0:0:0:0:0:0/48": the non-canonical form RIS sends in some withdrawals. */
function expandV6(prefix: string): string {
  const [addr, len] = prefix.split('/') as [string, string];
  const [left, right = ''] = addr.split('::') as [string, string | undefined];
  const l = left === '' ? [] : left.split(':');
  const r = right === '' ? [] : right.split(':');
  const zeros = new Array<string>(8 - l.length - r.length).fill('0');
  return `${[...l, ...zeros, ...r].join(':')}/${len}`;
}

const YOUTUBE: Pick<DemoOrigin, 'asn' | 'upstreams' | 'prepend'> = { asn: YOUTUBE_ASN, upstreams: [...YOUTUBE_UPSTREAMS], prepend: 0 };
const PAKISTAN_TELECOM: Pick<DemoOrigin, 'asn' | 'upstreams' | 'prepend'> = { asn: PAKISTAN_TELECOM_ASN, upstreams: [PCCW_ASN], prepend: 0 };

class DemoWorld {
  readonly ids = new MessageIds();
  /** Routes a peer has withdrawn and not yet re-announced ("peerIndex|prefix"). */
  readonly down = new Set<string>();

  constructor(
    readonly rng: Rng,
    readonly topo: DemoTopology,
  ) {}

  announce(t: number, peer: DemoPeer, origin: Pick<DemoOrigin, 'asn' | 'upstreams' | 'prepend'>, prefixes: string[]): string {
    const rng = this.rng;
    let path: Array<number | number[]> = drawPath(rng, peer, origin);
    // Aggregated routes now and then carry an AS_SET at the end, with the aggregator attribute.
    const aggregated = origin.asn % 23 === 0;
    if (aggregated && rng.chance(0.3)) {
      const other = rng.pick(this.topo.origins).asn;
      path = [...path.slice(0, -1), other === origin.asn ? [origin.asn] : [Math.min(other, origin.asn), Math.max(other, origin.asn)]];
    }
    const community: Array<[number, number]> = [];
    if (peer.asn < 65536 && peer.index % 3 !== 0) community.push([peer.asn, rng.int(100, 3999)]);
    const second = path[1];
    if (typeof second === 'number' && second < 65536 && rng.chance(0.6)) community.push([second, rng.int(1000, 9999)]);
    if (peer.asn < 65536 && rng.chance(0.2)) community.push([peer.asn, rng.int(60000, 65535)]);
    community.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const p of prefixes) this.down.delete(`${peer.index}|${p}`);
    const announcements =
      peer.linkLocal === null
        ? [{ next_hop: peer.ip, prefixes }]
        : [
            { next_hop: peer.ip, prefixes },
            { next_hop: peer.linkLocal, prefixes },
          ];
    return formatUpdateFrame({
      timestampMs: t,
      peer: peer.ip,
      peerAsn: peer.asn,
      id: this.ids.next(peer.ip, t),
      collector: peer.collector,
      path,
      community,
      origin: origin.asn % 11 === 0 ? 'INCOMPLETE' : origin.asn % 97 === 0 ? 'EGP' : 'IGP',
      med: peer.index % 4 === 0 ? rng.int(0, 500) : null,
      aggregator: aggregated ? `${origin.asn}:10.${origin.asn % 256}.${(origin.asn >> 8) % 256}.1` : null,
      announcements,
      withdrawals: [],
    });
  }

  withdraw(t: number, peer: DemoPeer, prefixes: string[]): string {
    for (const p of prefixes) this.down.add(`${peer.index}|${p}`);
    const wire = peer.family === 6 ? prefixes.map((p) => (this.rng.chance(0.3) ? expandV6(p) : p)) : prefixes;
    return formatUpdateFrame({
      timestampMs: t,
      peer: peer.ip,
      peerAsn: peer.asn,
      id: this.ids.next(peer.ip, t),
      collector: peer.collector,
      path: [],
      community: [],
      origin: null,
      med: null,
      aggregator: null,
      announcements: [],
      withdrawals: wire,
    });
  }

  peerState(t: number, peer: DemoPeer, state: string): string {
    return formatPeerStateFrame(t, peer.ip, peer.asn, this.ids.next(peer.ip, t), peer.collector, state);
  }

  /** 1–3 prefixes of the same origin and family (RIS messages group prefixes sharing attributes). */
  group(origin: DemoOrigin, family: 4 | 6, first: string): string[] {
    const same = origin.prefixes.filter((p) => p !== first && p.includes(':') === (family === 6));
    const out = [first];
    const extra = Math.min(same.length, this.rng.weighted([[0, 70], [1, 20], [2, 10]]));
    for (let k = 0; k < extra; k++) out.push(same[k]!);
    return out;
  }
}

/** The demo stream, one NDJSON line per ris_message frame, in event-time order. */
export function* generateDemoStream(input: DemoOptionsInput = {}): Generator<string, void, undefined> {
  const opts = demoOptionsSchema.parse(input);
  const rng = createRng(opts.seed);
  const topo = buildTopology(rng, { peerCount: opts.peerCount, prefixCount: opts.prefixCount });
  const world = new DemoWorld(rng, topo);
  const schedule = incidentSchedule(opts);
  const queue = new EventQueue();
  const start = opts.startTimeMs;
  const end = schedule.endMs;
  const delay = () => Math.round(Math.min(rng.exp(schedule.propagationMeanMs), 4 * schedule.propagationMeanMs));
  const clamp = (t: number) => Math.min(Math.round(t), end - 1);

  // YouTube's /22 shows up in the baseline from about half of the IPv4 peers, so "normal" is on record.
  const baselineSpan = Math.max(1, schedule.incidentStartMs - start);
  for (const peer of topo.peersV4) {
    if (!rng.chance(0.5)) continue;
    queue.push(clamp(start + rng.next() * baselineSpan * 0.6), (t) => [world.announce(t, peer, YOUTUBE, [INCIDENT_PREFIXES.victimCovering])]);
  }
  scheduleIncident(queue, world, topo, schedule, delay, clamp);

  const meanGapMs = 1000 / opts.messagesPerSecond;
  let tick = start + rng.exp(meanGapMs);
  for (;;) {
    const tickMs = Math.round(tick);
    const top = queue.peek();
    if (top && top.t <= tickMs && top.t < end) {
      queue.pop();
      yield* top.run(top.t);
      continue;
    }
    if (tickMs >= end) break;
    yield* baselineTick(world, queue, tickMs, clamp);
    tick += rng.exp(meanGapMs);
  }
}

function baselineTick(world: DemoWorld, queue: EventQueue, t: number, clamp: (t: number) => number): string[] {
  const { rng, topo } = world;
  // A session reset now and then: peer down, back up, then a burst re-announcing part of its table.
  if (rng.chance(1 / 15_000)) {
    const peer = rng.pick(topo.peers);
    const upAt = clamp(t + 3_000 + rng.exp(8_000));
    queue.push(upAt, (tu) => [world.peerState(tu, peer, 'connected')]);
    const routes = peer.family === 4 ? topo.routes.filter((r) => r.family === 4) : topo.routes.filter((r) => r.family === 6);
    const count = Math.min(routes.length, rng.int(30, 120));
    for (let k = 0; k < count; k++) {
      const r = routes[pickHot(rng, routes.length)]!;
      queue.push(clamp(upAt + 50 + rng.exp(800)), (ta) => [world.announce(ta, peer, r.origin, [r.prefix])]);
    }
    return [world.peerState(t, peer, 'down')];
  }
  const route = topo.routes[pickHot(rng, topo.routes.length)]!;
  const peers = route.family === 4 ? topo.peersV4 : topo.peersV6;
  const peer = rng.pick(peers);
  if (world.down.has(`${peer.index}|${route.prefix}`)) return [world.announce(t, peer, route.origin, [route.prefix])];
  const prefixes = world.group(route.origin, route.family, route.prefix);
  if (rng.chance(0.2)) {
    // Withdrawn routes mostly come back after a while (flap); some stay gone.
    if (rng.chance(0.85)) queue.push(clamp(t + 2_000 + rng.exp(30_000)), (ta) => [world.announce(ta, peer, route.origin, prefixes)]);
    return [world.withdraw(t, peer, prefixes)];
  }
  return [world.announce(t, peer, route.origin, prefixes)];
}

/** The hijack and its resolution, as seen by the IPv4 peers (each with its own propagation delay). */
function scheduleIncident(
  queue: EventQueue,
  world: DemoWorld,
  topo: DemoTopology,
  s: ReturnType<typeof incidentSchedule>,
  delay: () => number,
  clamp: (t: number) => number,
): void {
  const { rng } = world;
  const hijacked = INCIDENT_PREFIXES.hijacked;
  /** Per peer: which origin's /24 it currently uses, and whether YouTube's /24 reached it. */
  const state = new Map<number, { via: 'none' | 'hijack' | 'victim'; victimKnown: boolean }>();
  for (const peer of topo.peersV4) {
    const st = { via: 'none' as 'none' | 'hijack' | 'victim', victimKnown: false };
    state.set(peer.index, st);
    // The hijack reaches most peers within "minutes" (compressed).
    if (rng.chance(0.9)) {
      queue.push(clamp(s.hijackMs + delay()), (t) => {
        st.via = 'hijack';
        return [world.announce(t, peer, PAKISTAN_TELECOM, [hijacked])];
      });
    }
    // YouTube's own /24 reaches most peers; about half of those on the hijack switch back (equal length).
    if (rng.chance(0.85)) {
      const switches = rng.chance(0.5);
      queue.push(clamp(s.victimSameLengthMs + delay()), (t) => {
        st.victimKnown = true;
        if (st.via === 'hijack' && !switches) return [];
        st.via = 'victim';
        return [world.announce(t, peer, YOUTUBE, [hijacked])];
      });
    }
    // The /25s are more specific than anything else, so every peer that hears them uses them.
    if (rng.chance(0.95)) {
      queue.push(clamp(s.victimMoreSpecificsMs + delay()), (t) => [world.announce(t, peer, YOUTUBE, [...INCIDENT_PREFIXES.victimMoreSpecifics])]);
    }
    // PCCW withdraws: peers still on the hijack fall back to YouTube's /24 or lose the /24 altogether.
    queue.push(clamp(s.hijackWithdrawnMs + delay()), (t) => {
      if (st.via !== 'hijack') return [];
      if (st.victimKnown) {
        st.via = 'victim';
        return [world.announce(t, peer, YOUTUBE, [hijacked])];
      }
      st.via = 'none';
      return [world.withdraw(t, peer, [hijacked])];
    });
  }
}
