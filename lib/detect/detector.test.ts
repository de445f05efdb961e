import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineCache } from '@/lib/baseline/cache';
import { encodeBaseline } from '@/lib/baseline/codec';
import { hourStats } from '@/lib/baseline/test-stats';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { detectOriginChange } from '@/lib/detect/rules/origin-change';
import { fromPeers, sec } from '@/lib/detect/test-events';

const P = '203.0.113.0/24';

function baselineWithOrigin(origin: number): Uint8Array {
  const acc = new BaselineAccumulator();
  acc.apply(hourStats({ hour: 1, prefix: P, announcements: 20, peers: 10, collectors: ['rrc00'], origins: [origin], originCounts: [20] }), 1);
  return encodeBaseline(acc);
}

describe('Detector baseline lookups', () => {
  it('sees baselines the cache gains, changes and loses between batches (prefix id → slot map follows the cache)', () => {
    const cache = new BaselineCache();
    const d = new Detector(cache, DEFAULT_DETECTION_CONFIG, { rules: [detectOriginChange] });
    const types = (n: number, path: number[], at: number, first: number) => d.processBatch(fromPeers(n, { prefix: P, path, at: sec(at) }, first)).changed.map((a) => a.originAsn);
    // No baseline yet: nothing to compare with.
    expect(types(3, [3356, 64496], 0, 1)).toEqual([]);
    cache.set(P, '30d', baselineWithOrigin(64496));
    // Now known: the same origin is normal, another one is an origin change.
    expect(types(3, [3356, 64496], 10, 4)).toEqual([]);
    expect(types(3, [3356, 64666], 20, 7)).toEqual([64666]);
    // The baseline is replaced in place (same slot): the new origin is normal now.
    cache.set(P, '30d', baselineWithOrigin(64777));
    expect(types(3, [174, 64777], 30, 10)).toEqual([]);
    // Gone again (slot freed, and reused by another prefix): no baseline, no alert.
    cache.set(P, '30d', null);
    cache.set('198.51.100.0/24', '30d', baselineWithOrigin(1));
    expect(types(3, [174, 64888], 40, 13)).toEqual([]);
  });
});
