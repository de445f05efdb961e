import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineView, encodeBaseline, encodeBaselineParts } from '@/lib/baseline/codec';
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

describe('baseline codec', () => {
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
