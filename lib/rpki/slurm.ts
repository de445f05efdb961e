// SLURM (RFC 8416): an operator's local exceptions to the RPKI data. Pure.
//
// - Validated ROA Prefix Filters (§3.3.1) remove every VRP whose prefix is equal to or more
//   specific than the filter's prefix and/or whose ASN is the filter's ASN (a filter names a
//   prefix, an ASN, or both: then both must match).
// - Prefix Assertions (§3.4.1) add VRPs; maxPrefixLength defaults to the prefix length.
// - Filters apply to the RPs' output first, assertions are added after (§4.2): an assertion is
//   never removed by a filter. We apply them to the union of every source, which is the same as
//   applying them to each source's set.
// - BGPsec filters and assertions (router keys) are checked for shape and otherwise unused: this
//   system does no BGPsec path validation.
// A document that breaks the RFC's rules is rejected as a whole (the caller keeps the previous one
// in force): a half-applied exception list could hide or invent exactly the routes it is about.

import { z } from 'zod';
import { canonicalPrefix } from '@/lib/bgp/prefix';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';
import type { Vrp } from '@/lib/rpki/types';
import { checkVrp, VrpIndex } from '@/lib/rpki/vrp-index';

export class SlurmError extends Error {
  override name = 'SlurmError';
}

export interface SlurmFilter {
  prefix: string | null;
  asn: number | null;
  comment: string | null;
}

export interface SlurmConfig {
  filters: SlurmFilter[];
  assertions: Vrp[];
  /** BGPsec entries (accepted, not used). */
  bgpsecFilters: number;
  bgpsecAssertions: number;
}

const asn = z.number().int().min(0).max(0xffffffff);
const comment = z.string().optional();
const prefixText = z.string().transform((s, ctx) => {
  try {
    const c = canonicalPrefix(s.trim());
    // RFC 8416 §3.3.1 / §3.4.1: the prefix is a valid IP prefix (no host bits).
    if (tryPrefixToWords(c) === null) throw new Error('host bits set');
    return c;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `bad prefix ${JSON.stringify(s)}: ${err instanceof Error ? err.message : String(err)}` });
    return z.NEVER;
  }
});

const schema = z.object({
  slurmVersion: z.literal(1, { error: 'slurmVersion must be 1' }),
  validationOutputFilters: z.object({
    prefixFilters: z.array(z.strictObject({ prefix: prefixText.optional(), asn: asn.optional(), comment })),
    bgpsecFilters: z.array(z.strictObject({ asn: asn.optional(), SKI: z.string().optional(), comment })),
  }),
  locallyAddedAssertions: z.object({
    prefixAssertions: z.array(z.strictObject({ asn, prefix: prefixText, maxPrefixLength: z.number().int().optional(), comment })),
    bgpsecAssertions: z.array(z.strictObject({ asn, SKI: z.string(), routerPublicKey: z.string(), comment })),
  }),
});

/** Parses and checks a SLURM document's text. Throws SlurmError naming the first problem. */
export function parseSlurm(text: string): SlurmConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SlurmError(`malformed JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = schema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new SlurmError(`${i.path.join('.') || 'document'}: ${i.message}`);
  }
  const d = r.data;
  const filters: SlurmFilter[] = d.validationOutputFilters.prefixFilters.map((f, i) => {
    if (f.prefix === undefined && f.asn === undefined) throw new SlurmError(`validationOutputFilters.prefixFilters.${i}: needs a prefix, an asn, or both`);
    return { prefix: f.prefix ?? null, asn: f.asn ?? null, comment: f.comment ?? null };
  });
  d.validationOutputFilters.bgpsecFilters.forEach((f, i) => {
    if (f.asn === undefined && f.SKI === undefined) throw new SlurmError(`validationOutputFilters.bgpsecFilters.${i}: needs an asn, a SKI, or both`);
  });
  const assertions: Vrp[] = d.locallyAddedAssertions.prefixAssertions.map((a, i) => {
    const length = Number(a.prefix.slice(a.prefix.lastIndexOf('/') + 1));
    const vrp: Vrp = { prefix: a.prefix, maxLength: a.maxPrefixLength ?? length, asn: a.asn };
    const checked = checkVrp(vrp);
    if ('error' in checked) throw new SlurmError(`locallyAddedAssertions.prefixAssertions.${i}: ${a.prefix}: ${checked.error}`);
    return vrp;
  });
  return { filters, assertions, bgpsecFilters: d.validationOutputFilters.bgpsecFilters.length, bgpsecAssertions: d.locallyAddedAssertions.bgpsecAssertions.length };
}

export interface SlurmOutcome {
  vrps: Vrp[];
  /** VRPs removed by the filters. */
  filtered: number;
  /** Assertions added (including ones equal to a VRP already there: the index merges duplicates). */
  added: number;
}

/** Filters, then assertions (RFC 8416 §4.2). Linear in the VRPs; one prefix parse per VRP when prefix filters exist. */
export function applySlurm(vrps: readonly Vrp[], slurm: SlurmConfig): SlurmOutcome {
  const asnOnly = new Set<number>();
  // Filter prefixes as an index (a covering lookup per VRP); the ASN condition per prefix beside it.
  const byPrefix = new Map<string, (number | null)[]>();
  for (const f of slurm.filters) {
    if (f.prefix === null) asnOnly.add(f.asn!);
    else {
      const list = byPrefix.get(f.prefix);
      if (list) list.push(f.asn);
      else byPrefix.set(f.prefix, [f.asn]);
    }
  }
  const index = byPrefix.size > 0 ? VrpIndex.build([...byPrefix.keys()].map((prefix) => ({ prefix, maxLength: prefix.includes(':') ? 128 : 32, asn: 0 }))).index : null;
  const out: Vrp[] = [];
  let filtered = 0;
  for (const v of vrps) {
    if (asnOnly.has(v.asn) || (index !== null && coveredByFilter(index, byPrefix, v))) {
      filtered++;
      continue;
    }
    out.push(v);
  }
  for (const a of slurm.assertions) out.push(a);
  return { vrps: out, filtered, added: slurm.assertions.length };
}

function coveredByFilter(index: VrpIndex, byPrefix: Map<string, (number | null)[]>, v: Vrp): boolean {
  const p = tryPrefixToWords(v.prefix);
  if (!p) return false;
  for (const f of index.coveringWords(p)) {
    for (const fAsn of byPrefix.get(f.prefix) ?? []) if (fAsn === null || fAsn === v.asn) return true;
  }
  return false;
}
