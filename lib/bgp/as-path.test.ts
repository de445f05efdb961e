import { describe, expect, it } from 'vitest';
import { flattenAsPath } from '@/lib/bgp/as-path';

describe('flattenAsPath', () => {
  it('keeps a plain sequence as is, origin = last hop', () => {
    expect(flattenAsPath([24482, 6453, 17072, 22884])).toEqual({
      asPath: [24482, 6453, 17072, 22884],
      asPathSetMask: null,
      asPathLength: 4,
      originAsn: 22884,
    });
  });

  it('counts prepends in the length', () => {
    const f = flattenAsPath([11708, 32097, 263009, 263009, 263009]);
    expect(f.asPathLength).toBe(5);
    expect(f.originAsn).toBe(263009);
  });

  it('takes the single member of a final AS_SET as origin (real RIS message)', () => {
    expect(flattenAsPath([2497, 6453, 18705, 26281, [13340]])).toEqual({
      asPath: [2497, 6453, 18705, 26281, 13340],
      asPathSetMask: [false, false, false, false, true],
      asPathLength: 5,
      originAsn: 13340,
    });
  });

  it('leaves the origin undetermined for a final AS_SET of several members; a set counts 1', () => {
    expect(flattenAsPath([3356, 701, [13659, 701]])).toEqual({
      asPath: [3356, 701, 13659, 701],
      asPathSetMask: [false, false, true, true],
      asPathLength: 3,
      originAsn: null,
    });
  });

  it('handles an AS_SET in the middle', () => {
    const f = flattenAsPath([1, [2, 3], 4]);
    expect(f.asPathSetMask).toEqual([false, true, true, false]);
    expect(f.asPathLength).toBe(3);
    expect(f.originAsn).toBe(4);
  });

  it('gives no origin for an empty path', () => {
    expect(flattenAsPath([])).toEqual({ asPath: [], asPathSetMask: null, asPathLength: 0, originAsn: null });
  });

  it('keeps 32-bit ASNs exact', () => {
    expect(flattenAsPath([4294967295]).originAsn).toBe(4294967295);
  });
});
