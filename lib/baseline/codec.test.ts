import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineView, compactBaseline, encodeBaseline, encodeBaselineParts } from '@/lib/baseline/codec';
import { histogramMedianMax } from '@/lib/baseline/histogram';
import { hourStats } from '@/lib/baseline/test-stats';
import { mulberry32 } from '@/lib/util/seeded-random';

/** A random window: up to 40 hours with random peers, origins, links and paths. */
function randomAccumulator(r: () => number): BaselineAccumulator {
  const acc = new BaselineAccumulator();
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  for (let h = 0, n = int(0, 40); h < n; h++) {
    const links = int(0, 6);
    acc.apply(
      hourStats({
        hour: h, prefix: 'x', announcements: int(0, 30), withdrawals: int(0, 5), peers: int(0, 2000),
        collectors: Array.from({ length: int(0, 30) }, (_, i) => `rrc${i}`),
        origins: [int(1, 5)], originCounts: [int(1, 9)],
        linkFrom: Array.from({ length: links }, () => int(1, 9)), linkTo: Array.from({ length: links }, () => int(10, 19)), linkCounts: Array.from({ length: links }, () => int(1, 4)),
        pathKeys: [int(-4, 3) * 0x2000_0000], pathCounts: [int(1, 3)], pathLengths: [int(1, 6)], pathLengthCounts: [1],
      }),
      1,
    );
  }
  return acc;
}

/** Sorted parts with a chosen spread: up to `ases` distinct link ASes and counts up to `maxCount`. */
function randomParts(r: () => number, ases: number, maxCount: number): Uint8Array {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const asn = () => (r() < 0.1 ? 4_200_000_000 + int(0, ases) : int(1, ases));
  const uniq = <T,>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  const links = uniq(Array.from({ length: int(0, 2 * ases) }, () => [asn(), asn(), int(1, maxCount)] as const), (l) => `${l[0]},${l[1]}`).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const paths = uniq(Array.from({ length: int(0, 80) }, () => [int(0, 0xffff_ffff), int(1, maxCount)] as const), (p) => `${p[0]}`).sort((a, b) => a[0] - b[0]);
  const hours = int(1, 720);
  return encodeBaselineParts({
    sums: [hours, int(0, 1e6), r() * 1e9, int(0, 1e5), r() * 1e7, r() * 1e9, int(0, 1e6), int(0, 1e4)],
    origins: uniq(Array.from({ length: int(0, 3) }, () => [asn(), int(1, maxCount)] as const), (o) => `${o[0]}`).sort((a, b) => a[0] - b[0]),
    links,
    paths,
    lengths: [[int(1, 3), int(1, 9)], [int(4, 9), int(1, 9)]],
    peerHist: [[int(0, 15), int(1, 100)], [int(16, 40), int(1, 100)]],
    collHist: [[int(0, 20), hours]],
  });
}

/** Everything a BaselineView answers, as plain data. */
function answers(v: BaselineView, probes: { asns: number[]; keys: number[]; links: [number, number][] }) {
  return {
    sums: [v.hoursSeen, v.announcements, v.announcementsSq, v.withdrawals, v.withdrawalsSq, v.updatesSq, v.peersSum, v.collectorsSum, v.originCountTotal],
    sizes: [v.nOrigins, v.nLinks, v.nPaths],
    origins: [...v.origins()],
    links: v.links(),
    paths: [...v.paths()],
    lengths: [...v.pathLengths()],
    peerHist: [...v.peerHistogram()],
    collHist: [...v.collectorHistogram()],
    median: v.peerHistogramMedian(),
    originCount: probes.asns.map((a) => v.originCount(a)),
    hasAs: probes.asns.map((a) => v.hasAsInPaths(a)),
    pathCount: probes.keys.map((k) => v.pathCount(k)),
    linkCount: probes.links.map(([a, b]) => v.linkCount(a, b)),
    acc: v.toAccumulator(),
  };
}

describe('baseline codec', () => {
  it('the compact form answers every question exactly like the packed form, on random entries', () => {
    const r = mulberry32(9);
    let compacted = 0;
    for (let k = 0; k < 90; k++) {
      // Few and many ASes (1- and 2-byte indices), small to huge counts (1-, 2- and 4-byte counts).
      const bytes = randomParts(r, [5, 120, 300][k % 3]!, [200, 60_000, 3e9][Math.floor(k / 3) % 3]!);
      const packed = BaselineView.fromBytes(bytes);
      const small = compactBaseline(bytes);
      if (small !== bytes) compacted++;
      expect(small.byteLength).toBeLessThanOrEqual(bytes.byteLength);
      // Inside a larger buffer at an 8-byte offset, as in the cache's arena.
      const arena = new ArrayBuffer(small.byteLength + 64);
      new Uint8Array(arena, 16).set(small);
      const view = new BaselineView(new Float64Array(arena), new Uint32Array(arena), 4, new Uint8Array(arena));
      expect(view.words() * 4).toBe(small.byteLength);
      const links = packed.links();
      const probes = {
        asns: [...links.flatMap((l) => [l.from, l.to]), ...[...packed.origins().keys()], 0, 3, 4_200_000_001, 0xffff_ffff],
        keys: [...packed.paths().keys(), 0, -1, 123_456],
        links: [...links.map((l) => [l.from, l.to] as [number, number]), ...links.map((l) => [l.to, l.from] as [number, number]), [1, 1], [0, 0]] as [number, number][],
      };
      expect(answers(view, probes)).toEqual(answers(packed, probes));
    }
    expect(compacted).toBeGreaterThan(45);
  });

  it('a misaligned database buffer compacts like an aligned one', () => {
    const bytes = randomParts(mulberry32(3), 50, 1000);
    const pool = new Uint8Array(bytes.byteLength + 3);
    pool.set(bytes, 3);
    expect(compactBaseline(pool.subarray(3))).toEqual(compactBaseline(bytes));
  });

  it('peerHistogramMedian equals histogramMedianMax of the materialized histogram on random windows', () => {
    const r = mulberry32(5);
    for (let k = 0; k < 500; k++) {
      const view = BaselineView.fromBytes(encodeBaseline(randomAccumulator(r)));
      expect(view.peerHistogramMedian()).toBe(histogramMedianMax(view.peerHistogram()).median);
    }
  });

  it('encodeBaselineParts of sorted parts is byte for byte what encodeBaseline packs', () => {
    const r = mulberry32(6);
    for (let k = 0; k < 100; k++) {
      const acc = randomAccumulator(r);
      const view = BaselineView.fromBytes(encodeBaseline(acc));
      const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
      const parts = encodeBaselineParts({
        sums: [acc.hoursSeen, acc.annSum, acc.annSq, acc.wdSum, acc.wdSq, acc.updSq, acc.peersSum, acc.collSum],
        origins: sorted(view.origins()),
        links: view.links().map((l) => [l.from, l.to, l.count] as const),
        paths: [...view.paths()].map(([key, n]) => [key >>> 0, n] as const).sort((a, b) => a[0] - b[0]),
        lengths: sorted(view.pathLengths()),
        peerHist: sorted(view.peerHistogram()),
        collHist: sorted(view.collectorHistogram()),
      });
      expect(parts).toEqual(encodeBaseline(acc));
    }
  });
});
