// The key of an AS path pattern (pure): the path with prepending collapsed, hashed to a signed
// 32-bit integer. Computed the same way in SQL by lib/db/baselines.ts (md5 of the space-joined
// ASNs, first 8 hex digits), so a detector can look up a live event's path in the baseline.
// 32 bits are plenty: keys are only compared among the few hundred paths of one prefix.

import { createHash } from 'node:crypto';

export function collapsePrepending(asPath: readonly number[]): number[] {
  const out: number[] = [];
  for (const asn of asPath) if (out.length === 0 || out[out.length - 1] !== asn) out.push(asn);
  return out;
}

export function pathKey(asPath: readonly number[]): number {
  const hex = createHash('md5').update(collapsePrepending(asPath).join(' ')).digest('hex');
  return Number.parseInt(hex.slice(0, 8), 16) | 0;
}
