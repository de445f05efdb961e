// Words (see prefix-words.ts) back to canonical prefix text. Pure.

import { canonicalPrefix } from '@/lib/bgp/prefix';

export function formatWordsPrefix(family: 4 | 6, words: readonly [number, number, number, number], length: number): string {
  if (family === 4) {
    const w = words[0];
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}/${length}`;
  }
  const hextets: string[] = [];
  for (const w of words) hextets.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  // lib/bgp/prefix owns the RFC 5952 compression rules.
  return canonicalPrefix(`${hextets.join(':')}/${length}`);
}
