import { describe, expect, it } from 'vitest';
import { computeDedupKey, decimal, hash53, PeerDedupKeys, type DedupKeyInput } from '@/lib/bgp/dedup-key';
import { mulberry32 } from '@/lib/util/seeded-random';

const base: DedupKeyInput = {
  collector: 'rrc21',
  peerIp: '37.49.237.143',
  prefix: '173.82.228.0/24',
  eventType: 'announcement',
  timestampUs: 1787141896080000,
  asPath: [50628, 35280, 6453, 4637, 16509],
};


describe('computeDedupKey', () => {
  it('is a non-negative 53-bit integer in decimal (exact as a JS number and as a bigint)', () => {
    const k = computeDedupKey(base);
    expect(k).toMatch(/^\d{1,16}$/);
    expect(Number.isSafeInteger(Number(k))).toBe(true);
    expect(String(Number(k))).toBe(k);
  });

  it('is stable across calls and object identity (pinned value)', () => {
    const k = computeDedupKey(base);
    expect(computeDedupKey({ ...base, asPath: [...base.asPath] })).toBe(k);
    // Pinned so an accidental change of the encoding (which would break replay idempotence
    // against already stored rows) fails loudly.
    expect(k).toBe(PINNED);
  });

  it('changes with every field it covers', () => {
    const k = computeDedupKey(base);
    const variants: DedupKeyInput[] = [
      { ...base, collector: 'rrc00' },
      { ...base, peerIp: '37.49.237.144' },
      { ...base, prefix: '173.82.229.0/24' },
      { ...base, eventType: 'withdrawal' },
      { ...base, timestampUs: base.timestampUs + 1 },
      { ...base, asPath: [50628, 35280, 6453, 4637] },
      { ...base, asPath: [50628, 35280, 6453, 4637, 16509, 16509] },
    ];
    const keys = new Set(variants.map(computeDedupKey));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(k)).toBe(false);
  });

  it('does not confuse field boundaries', () => {
    const a = computeDedupKey({ ...base, asPath: [1, 23] });
    const b = computeDedupKey({ ...base, asPath: [12, 3] });
    expect(a).not.toBe(b);
  });

  it('spreads keys without collisions over many similar inputs', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20_000; i++) keys.add(computeDedupKey({ ...base, timestampUs: base.timestampUs + i }));
    for (let i = 0; i < 20_000; i++) keys.add(computeDedupKey({ ...base, prefix: `10.${i >> 8}.${i & 255}.0/24` }));
    for (let i = 0; i < 20_000; i++) keys.add(computeDedupKey({ ...base, asPath: [50628, i, 16509] }));
    expect(keys.size).toBe(60_000);
  });

  it('mixes well: one changed character flips about half of the 53 bits', () => {
    let flips = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const x = hash53(`rrc00|192.0.2.1|10.0.0.0/24|announcement|${i}|1,2,3`);
      const y = hash53(`rrc00|192.0.2.1|10.0.0.0/24|announcement|${i}|1,2,4`);
      let d = x ^ y; // low 32 bits
      let hi = Math.floor(x / 0x100000000) ^ Math.floor(y / 0x100000000);
      for (; d !== 0; d &= d - 1) flips++;
      for (; hi !== 0; hi &= hi - 1) flips++;
    }
    const mean = flips / n;
    expect(mean).toBeGreaterThan(24);
    expect(mean).toBeLessThan(29);
  });
});

const PINNED = '1643718646987484';

describe('PeerDedupKeys', () => {
  it('gives the same keys as computeDedupKey', () => {
    const keys = new PeerDedupKeys(base.collector, base.peerIp);
    expect(keys.key(base.prefix, base.eventType, base.timestampUs, base.asPath)).toBe(PINNED);
    for (let i = 0; i < 200; i++) {
      const e = { ...base, prefix: `10.${i}.0.0/16`, eventType: i % 2 ? 'withdrawal' : 'announcement', timestampUs: base.timestampUs + i * 7919, asPath: i % 3 ? [i, 4_200_000_000 + i] : [] } as const;
      // A key computed in between must not disturb the resumed peer state.
      computeDedupKey({ ...e, collector: 'other' });
      expect(keys.key(e.prefix, e.eventType, e.timestampUs, e.asPath)).toBe(computeDedupKey(e));
    }
  });

  it('keyIpv4 gives the key of the prefix text', () => {
    const keys = new PeerDedupKeys(base.collector, base.peerIp);
    const addrs = [0, 0xffffffff, 0x0a000000, 0xc0a86400, 0x01020304, 0x64646464, 0x09090909];
    const random = mulberry32(7);
    for (let i = 0; i < 2000; i++) addrs.push(Math.floor(random() * 2 ** 32));
    for (const [i, addr] of addrs.entries()) {
      const bits = i % 33;
      const masked = bits === 0 ? 0 : bits === 32 ? addr : (addr & ~(0xffffffff >>> bits)) >>> 0;
      const text = `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${bits}`;
      expect(keys.keyIpv4(masked, bits, 'withdrawal', base.timestampUs + i, base.asPath)).toBe(keys.key(text, 'withdrawal', base.timestampUs + i, base.asPath));
    }
  });
});

describe('decimal', () => {
  it('is String(n) for integers up to 2^53 - 1', () => {
    const samples = [0, 1, 9, 10, 9999, 10000, 10001, 99_999_999, 100_000_000, 100_000_001, 1_000_000_000_000, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 1643718646987484];
    const random = mulberry32(11);
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(random() * 2 ** 53), Math.floor(random() * 10 ** (i % 16)));
    for (const n of samples) expect(decimal(n)).toBe(String(n));
  });
});
