import { describe, expect, it } from 'vitest';
import { parsePrefix } from '@/lib/bgp/prefix';
import { createRng } from '@/lib/demo/prng';
import { syntheticRoutes, syntheticVrps } from '@/lib/rpki/synthetic';
import type { RovState, InvalidReason, Vrp } from '@/lib/rpki/types';
import { VrpIndex } from '@/lib/rpki/vrp-index';

const v = (prefix: string, maxLength: number, asn: number): Vrp => ({ prefix, maxLength, asn });

// RFC 6811 §2 with RFC 6483/7607 (AS0) and RFC 9582 (maxLength) details.
const CASES: { name: string; vrps: Vrp[]; prefix: string; origin: number | null; state: RovState; reason?: InvalidReason; covering?: number }[] = [
  { name: 'no VRP at all', vrps: [], prefix: '192.0.2.0/24', origin: 64500, state: 'not_found', covering: 0 },
  { name: 'exact match', vrps: [v('192.0.2.0/24', 24, 64500)], prefix: '192.0.2.0/24', origin: 64500, state: 'valid', covering: 1 },
  { name: 'exact prefix, wrong origin', vrps: [v('192.0.2.0/24', 24, 64500)], prefix: '192.0.2.0/24', origin: 64501, state: 'invalid', reason: 'as_mismatch' },
  { name: 'more specific within maxLength', vrps: [v('192.0.2.0/23', 24, 64500)], prefix: '192.0.3.0/24', origin: 64500, state: 'valid' },
  { name: 'maxLength boundary: at maxLength', vrps: [v('10.0.0.0/16', 20, 64500)], prefix: '10.0.240.0/20', origin: 64500, state: 'valid' },
  { name: 'maxLength boundary: one past', vrps: [v('10.0.0.0/16', 20, 64500)], prefix: '10.0.240.0/21', origin: 64500, state: 'invalid', reason: 'max_length' },
  { name: 'too specific and wrong origin: as_mismatch', vrps: [v('10.0.0.0/16', 16, 64500)], prefix: '10.0.1.0/24', origin: 64999, state: 'invalid', reason: 'as_mismatch' },
  { name: 'less specific than the VRP: not covered', vrps: [v('10.0.0.0/16', 24, 64500)], prefix: '10.0.0.0/15', origin: 64500, state: 'not_found', covering: 0 },
  { name: 'adjacent prefix: not covered', vrps: [v('10.0.0.0/16', 24, 64500)], prefix: '10.1.0.0/16', origin: 64500, state: 'not_found' },
  { name: 'covering VRP with wrong origin, another matches', vrps: [v('10.0.0.0/8', 8, 64999), v('10.1.0.0/16', 16, 64500)], prefix: '10.1.0.0/16', origin: 64500, state: 'valid', covering: 2 },
  { name: 'covering less-specific VRP validates', vrps: [v('10.0.0.0/8', 24, 64500), v('10.1.0.0/16', 16, 64999)], prefix: '10.1.2.0/24', origin: 64500, state: 'valid', covering: 2 },
  { name: 'only covering VRPs with other origins', vrps: [v('10.0.0.0/8', 24, 1), v('10.1.0.0/16', 24, 2)], prefix: '10.1.2.0/24', origin: 3, state: 'invalid', reason: 'as_mismatch', covering: 2 },
  { name: 'origin matches only a too-short maxLength', vrps: [v('10.0.0.0/8', 24, 1), v('10.1.0.0/16', 16, 3)], prefix: '10.1.2.0/24', origin: 3, state: 'invalid', reason: 'max_length' },
  { name: 'AS0 VRP makes a covered route invalid', vrps: [v('198.51.100.0/24', 32, 0)], prefix: '198.51.100.0/25', origin: 64500, state: 'invalid', reason: 'as_mismatch' },
  { name: 'AS0 does not override a matching VRP', vrps: [v('198.51.100.0/24', 32, 0), v('198.51.100.0/24', 24, 64500)], prefix: '198.51.100.0/24', origin: 64500, state: 'valid' },
  { name: 'origin 0 never matches an AS0 VRP', vrps: [v('198.51.100.0/24', 24, 0)], prefix: '198.51.100.0/24', origin: 0, state: 'invalid', reason: 'as_mismatch' },
  { name: 'undetermined origin (AS_SET) covered: invalid', vrps: [v('192.0.2.0/24', 24, 64500)], prefix: '192.0.2.0/24', origin: null, state: 'invalid', reason: 'as_mismatch' },
  { name: 'undetermined origin not covered: not found', vrps: [v('192.0.2.0/24', 24, 64500)], prefix: '203.0.113.0/24', origin: null, state: 'not_found' },
  { name: 'multiple VRPs same prefix', vrps: [v('192.0.2.0/24', 24, 1), v('192.0.2.0/24', 24, 2), v('192.0.2.0/24', 24, 3)], prefix: '192.0.2.0/24', origin: 2, state: 'valid', covering: 3 },
  { name: 'default route VRP covers everything', vrps: [v('0.0.0.0/0', 0, 64500)], prefix: '8.8.8.0/24', origin: 64500, state: 'invalid', reason: 'max_length' },
  { name: 'host route at /32', vrps: [v('192.0.2.0/24', 32, 64500)], prefix: '192.0.2.255/32', origin: 64500, state: 'valid' },
  { name: 'top of IPv4 space', vrps: [v('255.255.255.0/24', 24, 7)], prefix: '255.255.255.0/24', origin: 7, state: 'valid' },
  { name: 'IPv6 exact', vrps: [v('2001:db8::/32', 32, 64500)], prefix: '2001:db8::/32', origin: 64500, state: 'valid' },
  { name: 'IPv6 more specific within maxLength', vrps: [v('2001:610::/32', 48, 1103)], prefix: '2001:610:240::/48', origin: 1103, state: 'valid' },
  { name: 'IPv6 past maxLength', vrps: [v('2001:610::/29', 29, 1103)], prefix: '2001:610::/32', origin: 1103, state: 'invalid', reason: 'max_length' },
  { name: 'IPv6 /128 route', vrps: [v('2001:db8::/32', 128, 64500)], prefix: '2001:db8::1/128', origin: 64500, state: 'valid' },
  { name: 'IPv6 route in low word differs', vrps: [v('2001:db8::/127', 128, 5)], prefix: '2001:db8::2/127', origin: 5, state: 'not_found' },
  { name: 'IPv4 VRP does not cover IPv4-mapped IPv6', vrps: [v('192.0.2.0/24', 24, 1)], prefix: '::ffff:192.0.2.0/120', origin: 1, state: 'not_found' },
  { name: 'nested chain: middle VRP matches', vrps: [v('10.0.0.0/8', 8, 1), v('10.1.0.0/16', 24, 2), v('10.1.1.0/24', 24, 3)], prefix: '10.1.1.0/24', origin: 2, state: 'valid', covering: 3 },
  { name: 'sibling more-specific VRP not covering', vrps: [v('10.0.0.0/8', 8, 1), v('10.1.1.0/24', 24, 2)], prefix: '10.1.2.0/24', origin: 2, state: 'invalid', reason: 'as_mismatch', covering: 1 },
  { name: 'VRP more specific than the route at same start', vrps: [v('10.0.0.0/24', 24, 1), v('9.0.0.0/8', 24, 1)], prefix: '10.0.0.0/16', origin: 1, state: 'not_found' },
];

describe('VrpIndex RFC 6811 edge cases', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { index } = VrpIndex.build(c.vrps);
      const r = index.validate(c.prefix, c.origin);
      expect(r.state).toBe(c.state);
      expect(r.reason).toBe(c.reason ?? null);
      if (c.covering !== undefined) expect(r.covering).toHaveLength(c.covering);
      // The naive oracle agrees on every table row too.
      expect(naiveValidate(c.vrps, c.prefix, c.origin)).toEqual({ state: r.state, reason: r.reason });
    });
  }

  it('lists covering VRPs most specific first', () => {
    const { index } = VrpIndex.build([v('10.0.0.0/8', 8, 1), v('10.1.0.0/16', 24, 2), v('10.1.1.0/24', 24, 3), v('10.2.0.0/16', 16, 4)]);
    expect(index.validate('10.1.1.0/24', 9).covering.map((x) => x.prefix)).toEqual(['10.1.1.0/24', '10.1.0.0/16', '10.0.0.0/8']);
  });

  it('rejects unusable VRPs and merges duplicates', () => {
    const r = VrpIndex.build([v('10.0.0.0/16', 8, 1), v('10.0.0.1/16', 16, 1), v('10.0.0.0/16', 33, 1), v('10.0.0.0/16', 16, -1), v('10.0.0.0/16', 16, 1), v('10.0.0.0/16', 16, 1)]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      'maxLength 8 outside 16..32',
      expect.stringContaining('host bits'),
      'maxLength 33 outside 16..32',
      'bad ASN -1',
    ]);
    expect(r.duplicates).toBe(1);
    expect(r.index.size).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Second implementation: RFC 6811 as written, a linear scan over every VRP with bigint prefixes.

interface NaiveVrp {
  family: 4 | 6;
  bits: bigint;
  length: number;
  maxLength: number;
  asn: number;
}

function toNaive(vrps: readonly Vrp[]): NaiveVrp[] {
  return vrps.map((x) => {
    const p = parsePrefix(x.prefix);
    return { family: p.family, bits: p.bits, length: p.length, maxLength: x.maxLength, asn: x.asn };
  });
}

function naiveOnParsed(vrps: readonly NaiveVrp[], prefix: string, origin: number | null): { state: RovState; reason: InvalidReason | null } {
  const p = parsePrefix(prefix);
  const width = p.family === 4 ? 32n : 128n;
  let covered = false;
  let originSeen = false;
  for (const x of vrps) {
    if (x.family !== p.family || x.length > p.length) continue;
    const shift = width - BigInt(x.length);
    if (p.bits >> shift !== x.bits >> shift) continue;
    covered = true;
    if (origin !== null && origin !== 0 && x.asn === origin) {
      if (p.length <= x.maxLength) return { state: 'valid', reason: null };
      originSeen = true;
    }
  }
  if (!covered) return { state: 'not_found', reason: null };
  return { state: 'invalid', reason: originSeen ? 'max_length' : 'as_mismatch' };
}

function naiveValidate(vrps: readonly Vrp[], prefix: string, origin: number | null) {
  return naiveOnParsed(toNaive(vrps), prefix, origin);
}

describe('VrpIndex agrees with a linear scan on seeded random data', () => {
  it('dense nested IPv4/IPv6 space (3,000 VRPs × 20,000 routes)', () => {
    const rng = createRng(20261122);
    const vrps: Vrp[] = [];
    // Crowd a small space so that prefixes nest deeply and share starts.
    for (let i = 0; i < 3000; i++) {
      if (rng.chance(0.7)) {
        const len = rng.int(8, 28);
        const addr = (0x0a000000 + rng.int(0, 0x00ffffff)) >>> 0;
        const net = ((addr >>> (32 - len)) << (32 - len)) >>> 0;
        vrps.push(v(`${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`, rng.int(len, 32), rng.int(0, 12)));
      } else {
        const len = rng.int(16, 64);
        const hi = rng.int(0, 0xffff);
        const lo = rng.int(0, 0xffff);
        const p = parsePrefix(`2001:db8:${hi.toString(16)}:${lo.toString(16)}::/${len}`, { allowHostBits: true });
        vrps.push(v(p.canonical, rng.int(len, 128), rng.int(0, 12)));
      }
    }
    const { index } = VrpIndex.build(vrps);
    const naive = toNaive(vrps);
    let disagreements = 0;
    const states = { valid: 0, invalid: 0, not_found: 0 };
    for (let i = 0; i < 20_000; i++) {
      let prefix: string;
      if (rng.chance(0.7)) {
        const len = rng.int(0, 32);
        const addr = rng.chance(0.9) ? (0x0a000000 + rng.int(0, 0x00ffffff)) >>> 0 : rng.int(0, 0xffffffff);
        const net = len === 0 ? 0 : ((addr >>> (32 - len)) << (32 - len)) >>> 0;
        prefix = `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
      } else {
        const len = rng.int(8, 128);
        const parts = [0x2001, 0xdb8, rng.int(0, 0xffff), rng.int(0, 0xffff), rng.int(0, 0xffff), 0, 0, rng.int(0, 3)];
        prefix = parsePrefix(`${parts.map((x) => x.toString(16)).join(':')}/${len}`, { allowHostBits: true }).canonical;
      }
      const origin = rng.chance(0.05) ? null : rng.int(0, 12);
      const got = index.validate(prefix, origin);
      const want = naiveOnParsed(naive, prefix, origin);
      states[got.state]++;
      if (got.state !== want.state || got.reason !== want.reason) disagreements++;
    }
    expect(disagreements).toBe(0);
    // The sample must exercise every outcome, or agreement would prove little.
    expect(states.valid).toBeGreaterThan(500);
    expect(states.invalid).toBeGreaterThan(500);
    expect(states.not_found).toBeGreaterThan(500);
  }, 60_000); // the naive oracle is a linear scan per route: seconds on a loaded 2-core machine

  it('realistic synthetic set (5,000 VRPs × 5,000 routes)', () => {
    const vrps = syntheticVrps(5000, 7);
    const routes = syntheticRoutes(vrps, 5000, 8);
    const { index } = VrpIndex.build(vrps);
    const naive = toNaive(vrps);
    let disagreements = 0;
    for (const r of routes) {
      const got = index.validate(r.prefix, r.origin);
      const want = naiveOnParsed(naive, r.prefix, r.origin);
      if (got.state !== want.state || got.reason !== want.reason) disagreements++;
    }
    expect(disagreements).toBe(0);
  }, 60_000);
});
