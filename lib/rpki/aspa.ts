// EXPERIMENTAL: AS_PATH verification with ASPA (draft-ietf-sidrops-aspa-verification, still an
// Internet-Draft in 2026; PROTOCOLS.md §5.4). Results are advisory. Pure.
//
// A passive monitor does not know whether a route collector's peer is our customer, peer or
// provider, so both procedures are offered; the service reports the upstream one (the stricter
// check, which catches leaks through a customer/lateral peer).

import type { Aspa } from '@/lib/rpki/types';

export const ASPA_STATES = ['valid', 'invalid', 'unknown'] as const;
export type AspaState = (typeof ASPA_STATES)[number];

const PROVIDER = 1;
const NOT_PROVIDER = 2;
const NO_ATTESTATION = 3;

/** customer ASN → its attested providers. */
export type AspaTable = Map<number, Set<number>>;

export function buildAspaTable(aspas: readonly Aspa[]): AspaTable {
  const t: AspaTable = new Map();
  for (const a of aspas) {
    let s = t.get(a.customerAsn);
    if (!s) t.set(a.customerAsn, (s = new Set()));
    for (const p of a.providers) s.add(p);
  }
  return t;
}

function hop(t: AspaTable, customer: number, provider: number): number {
  const s = t.get(customer);
  if (!s) return NO_ATTESTATION;
  return s.has(provider) ? PROVIDER : NOT_PROVIDER;
}

/**
 * The path as received (neighbour first, origin last, as in BgpEvent.asPath), prepends collapsed
 * and reversed into AS(1) = origin … AS(N) = neighbour; null when it holds an AS_SET (RFC 9774
 * deprecates them; the draft makes such paths invalid).
 */
function prepare(asPath: readonly number[], setMask: readonly boolean[] | null): number[] | null {
  if (setMask && setMask.some(Boolean)) return null;
  const out: number[] = [];
  for (let i = asPath.length - 1; i >= 0; i--) {
    const a = asPath[i]!;
    if (out.length === 0 || out[out.length - 1] !== a) out.push(a);
  }
  return out;
}

/** max_up_ramp and min_up_ramp (draft §6). */
function upRamps(t: AspaTable, p: readonly number[]): { max: number; min: number } {
  const n = p.length;
  let max = n;
  let min = n;
  for (let i = 0; i < n - 1; i++) {
    const h = hop(t, p[i]!, p[i + 1]!);
    if (h !== PROVIDER && max === n) max = i + 1;
    if (h === NOT_PROVIDER) {
      min = i + 1;
      break;
    }
  }
  return { max, min };
}

/** max_down_ramp and min_down_ramp: the same walk from the neighbour end, hop(AS(j), AS(j−1)). */
function downRamps(t: AspaTable, p: readonly number[]): { max: number; min: number } {
  const n = p.length;
  let max = n;
  let min = n;
  for (let j = n - 1; j > 0; j--) {
    const h = hop(t, p[j]!, p[j - 1]!);
    const k = n - j;
    if (h !== PROVIDER && max === n) max = k;
    if (h === NOT_PROVIDER) {
      min = k;
      break;
    }
  }
  return { max, min };
}

/** Upstream verification: the route came from a customer or a lateral peer. */
export function verifyUpstream(t: AspaTable, asPath: readonly number[], setMask: readonly boolean[] | null = null): AspaState {
  const p = prepare(asPath, setMask);
  if (p === null) return 'invalid';
  if (p.length === 0) return 'unknown';
  const n = p.length;
  const up = upRamps(t, p);
  if (up.min < n) return 'invalid';
  if (up.max < n) return 'unknown';
  return 'valid';
}

/** Downstream verification: the route came from a provider. */
export function verifyDownstream(t: AspaTable, asPath: readonly number[], setMask: readonly boolean[] | null = null): AspaState {
  const p = prepare(asPath, setMask);
  if (p === null) return 'invalid';
  if (p.length === 0) return 'unknown';
  const n = p.length;
  if (n <= 2) return 'valid';
  const up = upRamps(t, p);
  const down = downRamps(t, p);
  if (up.min + down.min < n) return 'invalid';
  if (up.max + down.max < n) return 'unknown';
  return 'valid';
}
