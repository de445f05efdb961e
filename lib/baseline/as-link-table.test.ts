import { describe, expect, it } from 'vitest';
import { AsLinkTable } from '@/lib/baseline/as-link-table';
import { mulberry32 } from '@/lib/util/seeded-random';

describe('AsLinkTable', () => {
  it('answers like a Map of pairs on random data, through growth, replacement and removal', () => {
    const r = mulberry32(11);
    // A small ASN range forces many shared ASNs and colliding probe runs; 32-bit ASNs test the top bit.
    const asn = () => (r() < 0.2 ? 4_200_000_000 + Math.floor(r() * 50) : Math.floor(r() * 300));
    const table = new AsLinkTable(4);
    const model = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const a = asn();
      const b = asn();
      const k = `${a},${b}`;
      const op = r();
      if (op < 0.6) {
        const d = 1 + Math.floor(r() * 5);
        table.add(a, b, d);
        model.set(k, (model.get(k) ?? 0) + d);
      } else if (op < 0.8) {
        const n = Math.floor(r() * 4); // 0 removes
        table.set(a, b, n);
        if (n > 0) model.set(k, n);
        else model.delete(k);
      } else {
        expect(table.get(a, b)).toBe(model.get(k) ?? 0);
      }
    }
    expect(table.size).toBe(model.size);
    for (const [k, n] of model) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      expect(table.get(a, b)).toBe(n);
    }
    const listed = new Map([...table.entries()].map(([a, b, n]) => [`${a},${b}`, n]));
    expect(listed).toEqual(model);
  });

  it('is directed and keeps pairs of the same ASNs apart', () => {
    const t = AsLinkTable.fromRows([
      { from: 1299, to: 3333, count: 7 },
      { from: 3333, to: 1299, count: 2 },
      { from: 1299, to: 3333, count: 9 }, // a later row replaces, as the Map it replaces did
    ]);
    expect(t.get(1299, 3333)).toBe(9);
    expect(t.get(3333, 1299)).toBe(2);
    expect(t.get(1299, 1299)).toBe(0);
    expect(t.size).toBe(2);
  });

  it('takes about 12 bytes a slot at most 70 % load', () => {
    const t = new AsLinkTable();
    for (let i = 0; i < 500_000; i++) t.add(i % 70_000, 100_000 + Math.floor(i / 70_000) * 7 + (i % 13), 1);
    expect(t.size).toBeGreaterThan(400_000);
    expect(t.size / t.capacity).toBeLessThanOrEqual(0.7);
    expect(t.byteLength).toBe(12 * t.capacity);
  });
});
