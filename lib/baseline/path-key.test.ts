import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { collapsePrepending, pathKey } from '@/lib/baseline/path-key';

describe('path key', () => {
  it('ignores prepending, not order or content', () => {
    expect(collapsePrepending([1, 1, 1, 2, 3, 3])).toEqual([1, 2, 3]);
    expect(pathKey([3333, 1299, 1299, 13335, 13335, 13335])).toBe(pathKey([3333, 1299, 13335]));
    expect(pathKey([3333, 1299, 13335])).not.toBe(pathKey([1299, 3333, 13335]));
    expect(pathKey([3333, 174, 13335])).not.toBe(pathKey([3333, 1299, 13335]));
  });

  it('is the first 32 bits of md5 of the space-joined path, signed (what the SQL computes)', () => {
    const hex = createHash('md5').update('3333 1299 4200000000').digest('hex').slice(0, 8);
    expect(pathKey([3333, 1299, 4_200_000_000]) >>> 0).toBe(Number.parseInt(hex, 16));
    // The empty path hashes the empty text: md5('') starts d41d8cd9.
    expect(pathKey([]) >>> 0).toBe(0xd41d8cd9);
  });
});
