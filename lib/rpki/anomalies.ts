// rpki_invalid anomalies: when a route that was valid or not-found becomes invalid (a VRP change
// re-validated it), or a new invalid route appears inside a watched prefix. Pure.

import { VERDICT, type VerdictCode, type Vrp } from '@/lib/rpki/types';
import type { RoutePair, VerdictChange } from '@/lib/rpki/route-table';
import { VrpIndex } from '@/lib/rpki/vrp-index';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';

export interface RpkiAnomaly {
  severity: 'critical' | 'high' | 'medium' | 'low';
  entityKey: string;
  prefix: string;
  originAsn: number | null;
  startedAtUs: number;
  confidence: number;
  summary: string;
  evidence: {
    reason: 'as_mismatch' | 'max_length';
    previous: 'valid' | 'not_found' | null;
    covering_vrps: { prefix: string; max_length: number; asn: number }[];
    trigger: 'vrp_change' | 'new_route_in_watched_prefix' | 'backfill';
  };
  dedupKey: string;
}

const STATE: Record<number, 'valid' | 'not_found' | null> = { [VERDICT.valid]: 'valid', [VERDICT.notFound]: 'not_found' };
const isInvalid = (c: VerdictCode) => c === VERDICT.invalidAsn || c === VERDICT.invalidLength;
const MAX_EVIDENCE_VRPS = 20;

export function rpkiAnomaly(pair: RoutePair, previous: VerdictCode | null, covering: readonly Vrp[], trigger: RpkiAnomaly['evidence']['trigger'], atUs: number): RpkiAnomaly {
  const reason = pair.verdict === VERDICT.invalidLength ? 'max_length' : 'as_mismatch';
  const origin = pair.origin === null ? 'an undetermined origin (AS_SET)' : `AS${pair.origin}`;
  const was = previous === null ? '' : ` (was ${STATE[previous]?.replace('_', ' ') ?? 'unknown'})`;
  const why = reason === 'max_length' ? 'more specific than the maxLength of its ROA' : 'origin not authorised by any covering ROA';
  return {
    // A previously valid route turning invalid is the likeliest sign of a hijack or a ROA mistake.
    severity: previous === VERDICT.valid ? 'high' : 'medium',
    entityKey: `${pair.prefix}|${pair.origin ?? ''}`,
    prefix: pair.prefix,
    originAsn: pair.origin,
    startedAtUs: atUs,
    // RPKI verdicts are deterministic given the VRPs; the doubt left is in the ROAs themselves.
    confidence: 0.9,
    summary: `RPKI invalid: ${pair.prefix} from ${origin}${was}: ${why}`,
    evidence: {
      reason,
      previous: previous === null ? null : (STATE[previous] ?? null),
      covering_vrps: covering.slice(0, MAX_EVIDENCE_VRPS).map((v) => ({ prefix: v.prefix, max_length: v.maxLength, asn: v.asn })),
      trigger,
    },
    dedupKey: `rpki_invalid|${pair.prefix}|${pair.origin ?? ''}`,
  };
}

/** Anomalies for re-validation changes: valid / not-found → invalid only. */
export function anomaliesFromChanges(changes: readonly VerdictChange[], index: VrpIndex, atUs: number): RpkiAnomaly[] {
  const out: RpkiAnomaly[] = [];
  for (const c of changes) {
    if (!isInvalid(c.verdict) || isInvalid(c.previous)) continue;
    const p = tryPrefixToWords(c.prefix, true);
    out.push(rpkiAnomaly(c, c.previous, p ? index.coveringWords(p) : [], 'vrp_change', atUs));
  }
  return out;
}

/** A set of watched prefixes: a route inside any of them (or equal) matches. */
export class WatchList {
  private constructor(private readonly index: VrpIndex) {}

  /** Invalid entries are returned so the caller can log them. */
  static parse(list: string): { watch: WatchList; rejected: string[] } {
    const items = list.split(',').map((s) => s.trim()).filter(Boolean);
    const rejected: string[] = [];
    // Each watched prefix as a VRP for AS0 with the widest maxLength: "covered" then means inside.
    const vrps: Vrp[] = [];
    for (const s of items) {
      const p = tryPrefixToWords(s, false);
      if (!p) rejected.push(s);
      else vrps.push({ prefix: s.includes(':') ? s.toLowerCase() : s, maxLength: p.family === 4 ? 32 : 128, asn: 0 });
    }
    const built = VrpIndex.build(vrps);
    rejected.push(...built.rejected.map((r) => r.vrp.prefix));
    return { watch: new WatchList(built.index), rejected };
  }

  get size(): number {
    return this.index.size;
  }

  contains(prefix: string): boolean {
    const p = tryPrefixToWords(prefix, true);
    return p !== null && this.index.validateWords(p, null) !== VERDICT.notFound;
  }
}

/** Anomalies for routes that appeared invalid inside a watched prefix. */
export function anomaliesFromNewRoutes(appeared: readonly RoutePair[], watch: WatchList, index: VrpIndex): RpkiAnomaly[] {
  if (watch.size === 0) return [];
  const out: RpkiAnomaly[] = [];
  for (const r of appeared) {
    if (!isInvalid(r.verdict) || !watch.contains(r.prefix)) continue;
    const p = tryPrefixToWords(r.prefix, true);
    out.push(rpkiAnomaly(r, null, p ? index.coveringWords(p) : [], 'new_route_in_watched_prefix', r.lastSeenUs));
  }
  return out;
}

/** Dedup keys of rpki_invalid anomalies whose route is no longer invalid after a VRP change. */
export function resolvedDedupKeys(changes: readonly VerdictChange[]): string[] {
  return changes.filter((c) => isInvalid(c.previous) && !isInvalid(c.verdict)).map((c) => `rpki_invalid|${c.prefix}|${c.origin ?? ''}`);
}
