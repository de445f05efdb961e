import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineCache, type BaselineMeta, type BaselineRow, type BaselineSource } from '@/lib/baseline/cache';
import { encodeBaseline } from '@/lib/baseline/codec';
import { hourStats } from '@/lib/baseline/test-stats';

function packed(origin: number, count: number): Uint8Array {
  const acc = new BaselineAccumulator();
  acc.apply(hourStats({ hour: 1, prefix: 'x', announcements: count, peers: 2, collectors: ['rrc00'], origins: [origin], originCounts: [count] }), 1);
  return encodeBaseline(acc);
}

/** An in-memory stand-in for prefix_baselines with the same seq semantics. */
class MemorySource implements BaselineSource {
  rows: BaselineRow[] = [];
  seq = 0;
  meta: BaselineMeta = { asOfHour: 5, purgedSeq: 0, hoursCovered: { '24h': 3, '7d': 3, '30d': 3 } };
  put(prefix: string, window: BaselineRow['window'], state: Uint8Array | null): void {
    this.rows = this.rows.filter((r) => !(r.prefix === prefix && r.window === window));
    this.rows.push({ prefix, window, state, seq: ++this.seq });
  }
  purgeTombstones(): void {
    this.meta.purgedSeq = this.seq;
    this.rows = this.rows.filter((r) => r.state !== null);
  }
  async getMeta() {
    return structuredClone(this.meta);
  }
  async listChanges(after: number, limit: number) {
    return this.rows.filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq).slice(0, limit);
  }
  async listLinkHints() {
    return [{ from: 1299, to: 3333, count: 7 }];
  }
}

describe('baseline cache', () => {
  it('stores, replaces and removes entries per window', () => {
    const c = new BaselineCache({ chunkBytes: 4096 });
    c.set('10.0.0.0/8', '24h', packed(1, 3));
    c.set('10.0.0.0/8', '30d', packed(1, 9));
    expect(c.getBaseline('10.0.0.0/8', '24h')?.originCount(1)).toBe(3);
    expect(c.getBaseline('10.0.0.0/8', '7d')).toBeUndefined();
    expect(c.getBaseline('10.0.0.0/8', '30d')?.originCount(1)).toBe(9);
    c.set('10.0.0.0/8', '24h', packed(2, 4));
    expect(c.getBaseline('10.0.0.0/8', '24h')?.originCount(1)).toBe(0);
    expect(c.getBaseline('10.0.0.0/8', '24h')?.originCount(2)).toBe(4);
    c.set('10.0.0.0/8', '24h', null);
    expect(c.size).toBe(1);
    c.set('10.0.0.0/8', '30d', null);
    expect(c.size).toBe(0);
    expect(c.getBaseline('10.0.0.0/8', '30d')).toBeUndefined();
  });

  it('keeps every entry intact across many chunks and compactions', () => {
    const c = new BaselineCache({ chunkBytes: 2048 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 300; i++) c.set(`10.${i % 256}.${i >> 8}.0/24`, '7d', packed(i, round + 1));
    }
    for (let i = 0; i < 300; i++) expect(c.getBaseline(`10.${i % 256}.${i >> 8}.0/24`, '7d')?.originCount(i)).toBe(5);
    const s = c.arenaStats();
    expect(s.garbageBytes).toBeLessThanOrEqual(Math.max(s.liveBytes, 2048));
  });

  it('loads in full, then applies only changes (tombstones remove), and reloads after a purge', async () => {
    const src = new MemorySource();
    src.put('a/1', '24h', packed(1, 1));
    src.put('b/1', '24h', packed(2, 2));
    src.put('c/1', '24h', null);
    const c = new BaselineCache({ chunkBytes: 4096, pageSize: 1 });
    expect(await c.refresh(src)).toEqual({ full: true, applied: 3 });
    expect(c.size).toBe(2);
    expect(c.linkHint(1299, 3333)).toBe(7);
    expect(c.linkHint(3333, 1299)).toBe(0);
    expect(c.getSummary('a/1', '24h')?.hoursCovered).toBe(3);

    src.put('a/1', '24h', null);
    src.put('b/1', '24h', packed(2, 5));
    expect(await c.refresh(src)).toEqual({ full: false, applied: 2 });
    expect(c.getBaseline('a/1', '24h')).toBeUndefined();
    expect(c.getBaseline('b/1', '24h')?.originCount(2)).toBe(5);

    src.purgeTombstones();
    src.put('d/1', '7d', packed(4, 4));
    const before = c.lastSeq;
    src.meta.purgedSeq = before + 1; // purged past what the cache saw
    expect((await c.refresh(src)).full).toBe(true);
    expect(c.size).toBe(2);
    expect(c.getBaseline('d/1', '7d')?.originCount(4)).toBe(4);
  });

  it('keeps only the windows asked for, counting the rows it skips', async () => {
    const src = new MemorySource();
    src.put('a/1', '24h', packed(1, 1));
    src.put('a/1', '30d', packed(1, 9));
    src.put('b/1', '7d', packed(2, 2));
    const c = new BaselineCache({ windows: ['30d'] });
    expect(await c.refresh(src)).toEqual({ full: true, applied: 3 });
    expect(c.size).toBe(1);
    expect(c.skippedRows).toBe(2);
    expect(c.getBaseline('a/1', '30d')?.originCount(1)).toBe(9);
    expect(c.getBaseline('a/1', '24h')).toBeUndefined();
    expect(c.getBaseline('b/1', '7d')).toBeUndefined();
    expect(c.linkHint(1299, 3333, '30d')).toBe(7);
    expect(c.linkHint(1299, 3333, '24h')).toBe(0);
    expect(c.lastSeq).toBe(3);
  });
});
