import { describe, expect, it } from 'vitest';
import { buildAspaTable, verifyDownstream, verifyUpstream } from '@/lib/rpki/aspa';

// Topology: 1 and 2 are customers of 10, 10 of 100; 3 has an ASPA naming only 30; 4 has no ASPA.
const t = buildAspaTable([
  { customerAsn: 1, providers: [10] },
  { customerAsn: 2, providers: [10] },
  { customerAsn: 10, providers: [100] },
  { customerAsn: 3, providers: [30] },
  { customerAsn: 30, providers: [300] },
  { customerAsn: 100, providers: [0] },
]);
// Paths as received: neighbour first, origin last.
describe('ASPA upstream verification (experimental)', () => {
  it.each([
    ['pure customer→provider chain', [100, 10, 1], 'valid'],
    ['prepends collapse', [100, 100, 10, 10, 1, 1], 'valid'],
    ['route leak: 1 sends its provider 10\'s route on to 2', [2, 10, 1], 'invalid'],
    ['origin without ASPA: cannot prove', [10, 4], 'unknown'],
    ['attested non-provider hop', [31, 3], 'invalid'],
    ['single AS', [1], 'valid'],
    ['AS0 provider set: AS100 has no providers', [999, 100, 10, 1], 'invalid'],
  ])('%s', (_name, path, want) => {
    expect(verifyUpstream(t, path)).toBe(want);
  });

  it('makes any AS_SET invalid', () => {
    expect(verifyUpstream(t, [100, 10, 1, 2], [false, false, true, true])).toBe('invalid');
  });
});

describe('ASPA downstream verification (experimental)', () => {
  it.each([
    ['up then down (valley-free)', [2, 10, 1], 'valid'], // 1 → 10 (up), 10 → 2 (down)
    ['short paths are valid', [5, 6], 'valid'],
    ['valley: down then up again', [30, 3, 4, 10, 1], 'invalid'],
    ['unattested middle', [20, 4, 5, 6], 'unknown'],
  ])('%s', (_name, path, want) => {
    expect(verifyDownstream(t, path)).toBe(want);
  });
});
