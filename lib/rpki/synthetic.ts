// Seeded synthetic VRP sets and route lists for tests and benchmarks: no full-size real VRP export
// is small enough to ship, so large sets are generated. Shapes follow the real ones roughly:
// ~75 % IPv4 (mostly /24, some /16–/22 with a looser maxLength), ~25 % IPv6 (/29–/48), a few AS0
// VRPs. Pure.

import { createRng, type Rng } from '@/lib/demo/prng';
import { formatWordsPrefix } from '@/lib/rpki/prefix-format';
import type { Vrp } from '@/lib/rpki/types';

export interface SyntheticRoute {
  prefix: string;
  origin: number | null;
}

function randomAsn(rng: Rng): number {
  return rng.chance(0.7) ? rng.int(1, 64_000) : rng.int(131_072, 400_000);
}

function v4Vrp(rng: Rng): Vrp {
  const length = rng.weighted<number>([
    [24, 70],
    [23, 6],
    [22, 10],
    [21, 4],
    [20, 5],
    [19, 2],
    [18, 1],
    [17, 1],
    [16, 1],
  ]);
  // Unicast-looking space 1.0.0.0 – 223.255.255.255.
  const addr = rng.int(0x01000000, 0xdfffffff);
  const net = ((addr >>> (32 - length)) << (32 - length)) >>> 0;
  const maxLength = rng.chance(0.8) ? length : rng.int(length, 24);
  return { prefix: formatWordsPrefix(4, [net, 0, 0, 0], length), maxLength, asn: rng.chance(0.002) ? 0 : randomAsn(rng) };
}

function v6Vrp(rng: Rng): Vrp {
  const length = rng.weighted<number>([
    [48, 55],
    [44, 5],
    [40, 8],
    [36, 4],
    [32, 22],
    [29, 6],
  ]);
  // 2000::/3 with realistic density in 2001: and 2a0x:.
  const w0Base = rng.chance(0.5) ? 0x20010000 + rng.int(0, 0xffff) : (0x2a000000 + rng.int(0, 0x0fffffff)) >>> 0;
  const w1 = rng.int(0, 0xffffffff);
  const words: [number, number, number, number] = [w0Base >>> 0, w1 >>> 0, 0, 0];
  for (let k = 0; k < 2; k++) {
    const keep = length - k * 32;
    if (keep >= 32) continue;
    words[k] = keep <= 0 ? 0 : ((words[k]! >>> (32 - keep)) << (32 - keep)) >>> 0;
  }
  const maxLength = rng.chance(0.8) ? length : rng.int(length, 48);
  return { prefix: formatWordsPrefix(6, words, length), maxLength, asn: rng.chance(0.002) ? 0 : randomAsn(rng) };
}

/** `count` VRPs (may contain a few duplicates, as real exports do). */
export function syntheticVrps(count: number, seed: number): Vrp[] {
  const rng = createRng(seed);
  const out: Vrp[] = new Array<Vrp>(count);
  for (let i = 0; i < count; i++) out[i] = rng.chance(0.75) ? v4Vrp(rng) : v6Vrp(rng);
  return out;
}

/**
 * Routes against a VRP set: ~55 % derived from a VRP with its origin (mostly valid), ~5 % wrong
 * origin, ~5 % more specific than maxLength, ~35 % elsewhere (mostly not found).
 */
export function syntheticRoutes(vrps: readonly Vrp[], count: number, seed: number): SyntheticRoute[] {
  const rng = createRng(seed);
  const out: SyntheticRoute[] = new Array<SyntheticRoute>(count);
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (roll < 0.65 && vrps.length > 0) {
      const v = rng.pick(vrps);
      const slash = v.prefix.indexOf('/');
      const len = Number(v.prefix.slice(slash + 1));
      const width = v.prefix.includes(':') ? 128 : 32;
      if (roll < 0.55) out[i] = { prefix: v.prefix, origin: v.asn === 0 ? randomAsn(rng) : v.asn };
      else if (roll < 0.6) out[i] = { prefix: v.prefix, origin: randomAsn(rng) };
      else {
        // A more-specific of the VRP prefix, past its maxLength when it can be.
        const target = Math.min(width, Math.max(len, v.maxLength + 1));
        out[i] = { prefix: subPrefix(v.prefix, target, rng), origin: v.asn };
      }
    } else {
      out[i] = rng.chance(0.75) ? { prefix: v4Vrp(rng).prefix, origin: randomAsn(rng) } : { prefix: v6Vrp(rng).prefix, origin: randomAsn(rng) };
    }
    if (rng.chance(0.001)) out[i] = { prefix: out[i]!.prefix, origin: null };
  }
  return out;
}

function subPrefix(prefix: string, length: number, rng: Rng): string {
  // Random host bits below the VRP prefix length, then cut at `length`.
  if (!prefix.includes(':')) {
    const [addr, lenText] = prefix.split('/') as [string, string];
    const base = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const vlen = Number(lenText);
    const host = vlen === 32 ? 0 : rng.int(0, 2 ** (32 - vlen) - 1);
    const full = (base + host) >>> 0;
    const net = length === 0 ? 0 : ((full >>> (32 - length)) << (32 - length)) >>> 0;
    return formatWordsPrefix(4, [net, 0, 0, 0], length);
  }
  // IPv6: keep it simple, extend with zero bits (still inside the VRP prefix).
  const [addr] = prefix.split('/') as [string];
  return `${addr}/${length}`;
}
