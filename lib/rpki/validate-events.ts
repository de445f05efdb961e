// Route origin validation of normalized events as they arrive (live collector and backfill): one
// verdict code per event. Pure; allocation is one Uint8Array per batch.

import type { BgpEvent } from '@/lib/bgp/types';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';
import type { VerdictCode } from '@/lib/rpki/types';
import type { VrpIndex } from '@/lib/rpki/vrp-index';

/** Code for events that have no verdict: withdrawals, and prefixes that do not parse. */
export const NO_VERDICT = 255;

/**
 * Verdict per event (VERDICT codes), NO_VERDICT for withdrawals. An announcement whose origin is
 * undetermined (path ending in an AS_SET: originAsn null) is invalid when covered (RFC 6811).
 */
export function validateEvents(events: readonly BgpEvent[], index: VrpIndex): Uint8Array {
  const out = new Uint8Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.eventType !== 'announcement') {
      out[i] = NO_VERDICT;
      continue;
    }
    const p = tryPrefixToWords(e.prefix, true);
    out[i] = p ? index.validateWords(p, e.originAsn) : NO_VERDICT;
  }
  return out;
}

export function isVerdict(code: number): code is VerdictCode {
  return code <= 3;
}
