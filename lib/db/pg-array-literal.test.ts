import { describe, expect, it } from 'vitest';
import { bigintArrayLiteral, boolArrayLiteral, textArrayLiteral } from '@/lib/db/pg-array-literal';

describe('PostgreSQL array literals', () => {
  it('encodes integers, booleans and quoted text', () => {
    expect(bigintArrayLiteral([4200000000, 1])).toBe('{4200000000,1}');
    expect(bigintArrayLiteral([])).toBe('{}');
    expect(boolArrayLiteral([true, false])).toBe('{t,f}');
    expect(textArrayLiteral(['1:2', 'a"b', 'c\\d', 'NULL', '{,}'])).toBe('{"1:2","a\\"b","c\\\\d","NULL","{,}"}');
  });
  it('refuses non-integers', () => {
    expect(() => bigintArrayLiteral([1.5])).toThrow(TypeError);
  });
});
