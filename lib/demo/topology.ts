// The simulated Internet behind the demo stream: RIS-like collectors and peers, transit ASNs,
// synthetic origins with their prefixes, and how AS paths from a peer to an origin are drawn.
//
// Collector names and transit ASNs are real (that is what makes paths look plausible); peer
// addresses come from documentation ranges (RFC 5737 / RFC 3849) and origins are drawn at random,
// so nothing here describes a real peering or a real route.

import type { Rng } from '@/lib/demo/prng';

/** Ten RIS collectors that exist (rrcNN.ripe.net). */
export const DEMO_COLLECTORS = ['rrc00', 'rrc01', 'rrc03', 'rrc04', 'rrc06', 'rrc11', 'rrc12', 'rrc15', 'rrc21', 'rrc25'] as const;

/** Large transit networks (tier-1 and near), all 16-bit so they can appear in classic communities. */
export const TIER1_ASNS = [174, 701, 1299, 2914, 3257, 3320, 3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018, 6939] as const;
/** Regional transit providers. */
export const REGIONAL_TRANSIT_ASNS = [
  286, 1273, 2497, 4637, 4826, 7473, 8220, 8359, 9002, 12389, 12956, 20485, 31133, 5400, 13030, 8928, 3216, 4134, 4809, 9498,
] as const;

/** ASNs with a fixed role in the modelled incident; never drawn as random origins. */
export const YOUTUBE_ASN = 36561;
export const PAKISTAN_TELECOM_ASN = 17557;
export const PCCW_ASN = 3491;
export const YOUTUBE_UPSTREAMS = [174, 3356] as const;

export interface DemoPeer {
  index: number;
  asn: number;
  ip: string;
  family: 4 | 6;
  collector: string;
  /** IPv6 peers announce every route twice: global next hop and this link-local one. */
  linkLocal: string | null;
  /** The peer's own upstream when it is not a tier-1 (first hop after the peer). */
  transit: number | null;
}

export interface DemoOrigin {
  asn: number;
  upstreams: number[];
  /** How often the origin repeats itself at the end of the path (traffic engineering). */
  prepend: number;
  prefixes: string[];
}

export interface DemoTopology {
  peers: DemoPeer[];
  peersV4: DemoPeer[];
  peersV6: DemoPeer[];
  origins: DemoOrigin[];
  /** Every prefix with its origin, in a fixed order (low indices churn more: see pickHot). */
  routes: Array<{ prefix: string; family: 4 | 6; origin: DemoOrigin }>;
}

const RESERVED_ASNS = new Set<number>([0, 23456, YOUTUBE_ASN, PAKISTAN_TELECOM_ASN, ...TIER1_ASNS, ...REGIONAL_TRANSIT_ASNS]);

function drawOriginAsn(rng: Rng, used: Set<number>): number {
  for (;;) {
    // Mix of 16-bit and 32-bit public ASNs, avoiding private/reserved ranges.
    const asn = rng.chance(0.55) ? rng.int(1000, 63999) : rng.int(131072, 401999);
    if (!RESERVED_ASNS.has(asn) && !used.has(asn)) {
      used.add(asn);
      return asn;
    }
  }
}

// First octets that are neither special-use nor near the incident's prefix (208.x is left out).
const V4_FIRST_OCTETS = [
  2, 5, 8, 12, 13, 23, 24, 31, 37, 38, 41, 45, 46, 50, 57, 58, 59, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 72, 74, 77, 78, 79,
  80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 101, 102, 103, 104, 105, 106, 109, 110, 111, 112, 113,
  114, 115, 116, 117, 118, 119, 121, 122, 123, 124, 125, 128, 129, 130, 131, 132, 134, 137, 138, 139, 141, 142, 143, 144, 145,
  146, 147, 148, 149, 151, 152, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 170, 171, 173,
  175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 196, 197, 199, 200, 201,
  202, 204, 205, 206, 207, 209, 210, 211, 212, 213, 216, 217, 218, 219, 220, 221, 222, 223,
] as const;
const V4_LENGTHS: ReadonlyArray<readonly [number, number]> = [
  [24, 55], [23, 9], [22, 12], [21, 5], [20, 8], [19, 4], [18, 2], [17, 1], [16, 4],
];
const V6_LENGTHS: ReadonlyArray<readonly [number, number]> = [
  [48, 45], [44, 8], [40, 10], [36, 5], [32, 30], [29, 2],
];

function drawV4Prefix(rng: Rng): string {
  const len = rng.weighted(V4_LENGTHS);
  const first = rng.pick(V4_FIRST_OCTETS);
  const rest = rng.int(0, 0xffffff);
  const hostBits = 32 - len;
  const value = ((first * 0x1000000 + rest) / 2 ** hostBits) >>> 0; // network part only
  const net = value * 2 ** hostBits;
  return `${Math.floor(net / 16777216)}.${Math.floor(net / 65536) % 256}.${Math.floor(net / 256) % 256}.${net % 256}/${len}`;
}

function drawV6Prefix(rng: Rng): string {
  const len = rng.weighted(V6_LENGTHS);
  // 2001:0200–2001:4fff or 2400–2c0f: where RIR allocations live; never 2001:db8.
  const h0 = rng.chance(0.3) ? 0x2001 : rng.pick([0x2400, 0x2401, 0x2403, 0x2405, 0x2600, 0x2602, 0x2604, 0x2605, 0x2607, 0x2620, 0x2800, 0x2803, 0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a05, 0x2a06, 0x2a0e, 0x2c0f]);
  const h1 = h0 === 0x2001 ? rng.int(0x0200, 0x4fff) : rng.int(0, 0xffff);
  const hextets = [h0, h1, rng.int(0, 0xffff), rng.int(0, 0xffff)];
  // Zero everything past `len` (all lengths here are ≤ 64, so 4 hextets carry the network).
  for (let k = 0; k < 4; k++) {
    const keep = len - k * 16;
    if (keep <= 0) hextets[k] = 0;
    else if (keep < 16) hextets[k] = hextets[k]! & (0xffff << (16 - keep)) & 0xffff;
  }
  // Canonical compressed form: trailing zero hextets collapse into "::".
  let last = 3;
  while (last >= 0 && hextets[last] === 0) last--;
  const head = hextets.slice(0, last + 1).map((h) => h.toString(16));
  return `${head.join(':')}::/${len}`;
}

function drawPeerAsn(rng: Rng, used: Set<number>): number {
  for (;;) {
    // RIS peers: big transit networks and many IXP members of every size.
    const asn = rng.chance(0.25) ? rng.pick(TIER1_ASNS) : rng.chance(0.3) ? rng.pick(REGIONAL_TRANSIT_ASNS) : drawOriginAsn(rng, new Set());
    if (!used.has(asn) || used.size > 200) {
      used.add(asn);
      return asn;
    }
  }
}

export function buildTopology(rng: Rng, opts: { peerCount: number; prefixCount: number }): DemoTopology {
  const peers: DemoPeer[] = [];
  const usedPeerAsns = new Set<number>();
  const v4Nets = ['192.0.2', '198.51.100', '203.0.113'];
  for (let i = 0; i < opts.peerCount; i++) {
    // Roughly 60 % IPv4 sessions, 40 % IPv6 (RIS has both for most peers).
    const family: 4 | 6 = i % 5 < 3 ? 4 : 6;
    const asn = drawPeerAsn(rng, usedPeerAsns);
    const collectorIndex = rng.int(0, DEMO_COLLECTORS.length - 1);
    const ip =
      family === 4
        ? `${v4Nets[i % 3]}.${Math.floor(i / 3) + 1}`
        : `2001:db8:${(collectorIndex + 1).toString(16)}::${(i + 1).toString(16)}`;
    const isTier1 = (TIER1_ASNS as readonly number[]).includes(asn);
    peers.push({
      index: i,
      asn,
      ip,
      family,
      collector: DEMO_COLLECTORS[collectorIndex]!,
      linkLocal: family === 6 ? `fe80::${rng.int(1, 0xffff).toString(16)}:${rng.int(1, 0xffff).toString(16)}` : null,
      transit: isTier1 ? null : rng.pick(rng.chance(0.5) ? TIER1_ASNS : REGIONAL_TRANSIT_ASNS),
    });
  }

  const origins: DemoOrigin[] = [];
  const routes: DemoTopology['routes'] = [];
  const usedOrigins = new Set<number>();
  const seen = new Set<string>();
  while (routes.length < opts.prefixCount) {
    const origin: DemoOrigin = {
      asn: drawOriginAsn(rng, usedOrigins),
      upstreams: [rng.pick(REGIONAL_TRANSIT_ASNS)],
      prepend: rng.weighted([[0, 85], [1, 10], [2, 5]]),
      prefixes: [],
    };
    if (rng.chance(0.5)) origin.upstreams.push(rng.pick(TIER1_ASNS));
    const count = Math.min(opts.prefixCount - routes.length, rng.weighted([[1, 40], [2, 20], [3, 12], [5, 10], [8, 8], [16, 6], [40, 4]]));
    for (let k = 0; k < count; k++) {
      const family: 4 | 6 = rng.chance(0.7) ? 4 : 6;
      const prefix = family === 4 ? drawV4Prefix(rng) : drawV6Prefix(rng);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      origin.prefixes.push(prefix);
      routes.push({ prefix, family, origin });
    }
    if (origin.prefixes.length > 0) origins.push(origin);
  }

  return { peers, peersV4: peers.filter((p) => p.family === 4), peersV6: peers.filter((p) => p.family === 6), origins, routes };
}

/**
 * Draws an AS path from `peer` to `origin`: peer → (its transit) → (a tier-1) → origin's upstream
 * → origin (+ prepends). Hops that would repeat an AS are skipped, so there are no loops.
 */
export function drawPath(rng: Rng, peer: DemoPeer, origin: Pick<DemoOrigin, 'asn' | 'upstreams' | 'prepend'>): number[] {
  const upstream = rng.pick(origin.upstreams);
  const hops: number[] = [peer.asn];
  if (peer.transit !== null && rng.chance(0.8)) hops.push(peer.transit);
  const upstreamIsTier1 = (TIER1_ASNS as readonly number[]).includes(upstream);
  if (!upstreamIsTier1 && rng.chance(0.6)) hops.push(rng.pick(TIER1_ASNS));
  hops.push(upstream);
  const path: number[] = [];
  for (const asn of hops) if (!path.includes(asn) && asn !== origin.asn) path.push(asn);
  for (let k = 0; k <= origin.prepend; k++) path.push(origin.asn);
  return path;
}

/** Index into a list of n, skewed to low indices: a few prefixes churn a lot, most rarely. */
export function pickHot(rng: Rng, n: number): number {
  const u = rng.next();
  return Math.min(n - 1, Math.floor(n * u * u * u));
}
