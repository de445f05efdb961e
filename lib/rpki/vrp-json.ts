// VRP JSON exports → a VrpSet. Pure. Accepts the common shapes (PROTOCOLS.md §5.2), liberally:
// - Routinator `json` / `jsonext`, rpki-client `-j`, stayrtr/GoRTR `rpki.json`: `{ roas: [...] }`
// - a bare array of ROA entries (BGPalerter-style test files)
// - ASN as 13335, "13335" or "AS13335"; maxLength absent ⇒ the prefix length; `maxPrefixLength`
//   (SLURM spelling) accepted
// - ASPA: Routinator `aspas: [{ customer: "AS1", providers: ["AS2"] }]`, rpki-client
//   `aspas: [{ customer_asid, providers }]` and the older
//   `provider_authorizations: { ipv4: [...], ipv6: [...] }` (merged per customer)
// A bad entry is reported and skipped; a document without a ROA list is an error (the caller keeps
// its previous set).

import { z } from 'zod';
import { canonicalPrefix } from '@/lib/bgp/prefix';
import type { Aspa, Vrp, VrpSet } from '@/lib/rpki/types';
import { checkVrp } from '@/lib/rpki/vrp-index';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';

export class VrpDocumentError extends Error {
  override name = 'VrpDocumentError';
}

export interface VrpProblem {
  /** Position in the document's list ("roas[12]", "aspas[3]"). */
  where: string;
  reason: string;
}

export interface ParsedVrpDocument extends VrpSet {
  problems: VrpProblem[];
  /** Entries skipped because their `expires` is in the past. */
  expired: number;
  /** The export's own generation time (metadata.buildtime / generated), ms, when it says. */
  generatedAtMs: number | null;
}

const MAX_PROBLEMS_KEPT = 100;

const asnValue = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^(?:AS)?\d{1,10}$/i.test(v.trim()) ? Number(v.trim().replace(/^AS/i, '')) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    ctx.addIssue({ code: 'custom', message: `bad ASN ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

const roaEntry = z.object({
  prefix: z.string(),
  asn: asnValue,
  maxLength: z.number().int().optional(),
  maxPrefixLength: z.number().int().optional(),
  expires: z.number().optional(),
});

const aspaEntry = z.object({
  customer: asnValue.optional(),
  customer_asid: asnValue.optional(),
  providers: z.array(asnValue),
  expires: z.number().optional(),
});

const metadata = z
  .object({
    buildtime: z.string().optional(),
    generated: z.union([z.number(), z.string()]).optional(),
    generatedTime: z.string().optional(),
  })
  .optional()
  .catch(undefined);

const documentSchema = z.union([
  z.array(z.unknown()),
  z.looseObject({
    metadata,
    roas: z.array(z.unknown()),
    aspas: z.array(z.unknown()).optional().catch(undefined),
    provider_authorizations: z
      .object({ ipv4: z.array(z.unknown()).optional(), ipv6: z.array(z.unknown()).optional() })
      .optional()
      .catch(undefined),
  }),
]);

function generatedAt(meta: z.infer<typeof metadata>): number | null {
  if (!meta) return null;
  const candidates = [meta.buildtime, meta.generatedTime, typeof meta.generated === 'string' ? meta.generated : undefined];
  for (const c of candidates) {
    const ms = c ? Date.parse(c) : NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  if (typeof meta.generated === 'number') return meta.generated * 1000;
  return null;
}

/** Parses an already-decoded JSON value. `nowMs` decides which entries have expired. */
export function parseVrpDocument(doc: unknown, nowMs: number): ParsedVrpDocument {
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) throw new VrpDocumentError('not a VRP export: expected an object with a "roas" array, or an array of ROA entries');
  const d = parsed.data;
  const roas = Array.isArray(d) ? d : d.roas;
  const problems: VrpProblem[] = [];
  let problemCount = 0;
  const report = (where: string, reason: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ where, reason });
  };
  const nowS = nowMs / 1000;
  let expired = 0;
  const vrps: Vrp[] = [];
  for (let i = 0; i < roas.length; i++) {
    const raw = roas[i];
    // Fast path for the overwhelmingly common shape (numeric ASN, dotted-quad prefix, maxLength),
    // checked by hand with the same rules as the schema; anything else goes through zod.
    const fast = fastRoa(raw);
    if (fast) {
      if (fast.expires !== undefined && fast.expires < nowS) expired++;
      else vrps.push(fast.vrp);
      continue;
    }
    const e = roaEntry.safeParse(raw);
    if (!e.success) {
      report(`roas[${i}]`, e.error.issues.map((x) => `${x.path.join('.') || 'entry'}: ${x.message}`).join('; '));
      continue;
    }
    if (e.data.expires !== undefined && e.data.expires < nowS) {
      expired++;
      continue;
    }
    let prefix: string;
    try {
      prefix = canonicalPrefix(e.data.prefix.trim());
    } catch (err) {
      report(`roas[${i}]`, err instanceof Error ? err.message : 'bad prefix');
      continue;
    }
    const slash = prefix.lastIndexOf('/');
    const vrp: Vrp = { prefix, maxLength: e.data.maxLength ?? e.data.maxPrefixLength ?? Number(prefix.slice(slash + 1)), asn: e.data.asn };
    const checked = checkVrp(vrp);
    if ('error' in checked) {
      report(`roas[${i}]`, `${prefix}: ${checked.error}`);
      continue;
    }
    vrps.push(vrp);
  }
  const aspas = Array.isArray(d) ? [] : parseAspas(d, nowS, report);
  if (problemCount > problems.length) problems.push({ where: '…', reason: `${problemCount - problems.length} more problems not listed` });
  return { vrps, aspas, problems, expired, generatedAtMs: Array.isArray(d) ? null : generatedAt(d.metadata) };
}

function parseAspas(
  d: { aspas?: unknown[] | undefined; provider_authorizations?: { ipv4?: unknown[] | undefined; ipv6?: unknown[] | undefined } | undefined },
  nowS: number,
  report: (where: string, reason: string) => void,
): Aspa[] {
  const byCustomer = new Map<number, Set<number>>();
  const lists: [string, unknown[]][] = [];
  if (d.aspas) lists.push(['aspas', d.aspas]);
  if (d.provider_authorizations?.ipv4) lists.push(['provider_authorizations.ipv4', d.provider_authorizations.ipv4]);
  if (d.provider_authorizations?.ipv6) lists.push(['provider_authorizations.ipv6', d.provider_authorizations.ipv6]);
  for (const [name, list] of lists) {
    list.forEach((raw, i) => {
      const e = aspaEntry.safeParse(raw);
      const customer = e.success ? (e.data.customer ?? e.data.customer_asid) : undefined;
      if (!e.success || customer === undefined) {
        report(`${name}[${i}]`, e.success ? 'no customer ASN' : e.error.issues.map((x) => `${x.path.join('.') || 'entry'}: ${x.message}`).join('; '));
        return;
      }
      if (e.data.expires !== undefined && e.data.expires < nowS) return;
      let set = byCustomer.get(customer);
      if (!set) byCustomer.set(customer, (set = new Set()));
      for (const p of e.data.providers) set.add(p);
    });
  }
  return [...byCustomer].map(([customerAsn, providers]) => ({ customerAsn, providers: [...providers].sort((a, b) => a - b) })).sort((a, b) => a.customerAsn - b.customerAsn);
}

/** A well-formed IPv4 entry with a numeric ASN, or null (then the schema decides). */
function fastRoa(raw: unknown): { vrp: Vrp; expires: number | undefined } | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { prefix, asn, maxLength, expires } = raw as { prefix?: unknown; asn?: unknown; maxLength?: unknown; expires?: unknown };
  if (typeof prefix !== 'string' || typeof asn !== 'number' || typeof maxLength !== 'number') return null;
  if (expires !== undefined && typeof expires !== 'number') return null;
  if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff || !Number.isInteger(maxLength) || maxLength > 32) return null;
  if (prefix.includes(':')) return null;
  // A strict dotted quad without host bits is already canonical text.
  const p = tryPrefixToWords(prefix);
  if (!p || p.family !== 4 || maxLength < p.length) return null;
  return { vrp: { prefix, maxLength, asn }, expires };
}

/** Parses export text. Throws VrpDocumentError when it is not JSON or not a VRP export. */
export function parseVrpJson(text: string, nowMs: number): ParsedVrpDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VrpDocumentError(`malformed JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseVrpDocument(doc, nowMs);
}
