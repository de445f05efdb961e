import { describe, expect, it } from 'vitest';
import { partitionKey, partitionOf, partitionsCovered, splitByPartition } from '@/lib/detect/pipeline/partition';

describe('partition routing', () => {
  it('reads the top bits of IPv4 and IPv6 prefixes', () => {
    expect(partitionKey('208.65.153.0/24')).toEqual({ family: 4, key: 208, length: 24 });
    expect(partitionKey('2001:db8::/32')).toEqual({ family: 6, key: 0x2001, length: 32 });
    expect(partitionKey('::/0')).toEqual({ family: 6, key: 0, length: 0 });
    expect(partitionKey('::ffff:0:0/96')).toEqual({ family: 6, key: 0, length: 96 });
  });

  it('sends a prefix and all its more-specifics to the same partition', () => {
    for (const p of [4, 7, 16]) {
      const owner = partitionOf('208.65.152.0/22', p);
      for (const more of ['208.65.153.0/24', '208.65.152.0/25', '208.0.0.0/8', '208.65.153.128/32']) expect(partitionOf(more, p)).toBe(owner);
      const v6 = partitionOf('2a00:1450::/32', p);
      for (const more of ['2a00:1450:4001::/48', '2a00::/16', '2a00:1450:4001:800::200e/128']) expect(partitionOf(more, p)).toBe(v6);
    }
  });

  it('spreads prefixes over every partition', () => {
    const seen = new Set<number>();
    for (let o = 1; o < 224; o++) seen.add(partitionOf(`${o}.0.0.0/8`, 4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    const counts = [0, 0, 0, 0];
    for (let o = 1; o < 224; o++) counts[partitionOf(`${o}.0.0.0/8`, 4)]!++;
    // No partition gets more than twice its share of the first octets.
    for (const c of counts) expect(c).toBeLessThan((2 * 223) / 4);
  });

  it('a covering prefix shorter than the key bits covers the partitions of all its keys, and is owned by its first key', () => {
    const p = 4;
    expect(partitionsCovered('0.0.0.0/0', p)).toEqual([0, 1, 2, 3]);
    expect(partitionsCovered('::/0', p)).toEqual([0, 1, 2, 3]);
    // 192.0.0.0/6 covers 192..195.
    const want = [...new Set([192, 193, 194, 195].map((o) => partitionOf(`${o}.0.0.0/8`, p)))].sort();
    expect(partitionsCovered('192.0.0.0/6', p)).toEqual(want);
    expect(partitionOf('192.0.0.0/6', p)).toBe(partitionOf('192.0.0.0/8', p));
    // 2a00::/12 covers 2a00..2a0f (16-bit keys).
    const want6 = [...new Set(Array.from({ length: 16 }, (_, i) => partitionOf(`2a0${i.toString(16)}::/16`, p)))].sort();
    expect(partitionsCovered('2a00::/12', p)).toEqual(want6);
    expect(partitionsCovered('208.65.152.0/22', p)).toEqual([partitionOf('208.65.152.0/22', p)]);
  });

  it('one partition takes everything', () => {
    expect(partitionOf('10.0.0.0/8', 1)).toBe(0);
    expect(partitionsCovered('0.0.0.0/0', 1)).toEqual([0]);
  });

  it('splits a batch keeping order within each partition', () => {
    const items = ['10.0.0.0/8', '11.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '10.2.0.0/16'];
    const parts = splitByPartition(items, (s) => s, 3);
    expect(parts.flat().sort()).toEqual([...items].sort());
    const p10 = parts[partitionOf('10.0.0.0/8', 3)]!;
    expect(p10.filter((s) => s.startsWith('10.'))).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16']);
  });
});
