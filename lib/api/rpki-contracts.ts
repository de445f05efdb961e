// Zod contracts of the RPKI API: GET /api/v1/rpki/summary and GET /api/v1/rpki/validity. Route
// handlers, the dashboard widget and the tests parse with these. Also the pure mapping from what
// lib/db returns to the wire shape.

import { z } from 'zod';
import { asnParam, describeIssue, prefixParam, type ParamResult } from '@/lib/api/contracts';
import type { BackfillRpkiCounts, StoredRpkiSource } from '@/lib/db/rpki';
import { routeSummarySchema } from '@/lib/rpki/summary';
import { INVALID_REASONS, ROV_STATES, RPKI_SOURCE_KINDS, type RovResult } from '@/lib/rpki/types';

// ---------------------------------------------------------------------------------------------
// GET /api/v1/rpki/validity?prefix=&origin_asn=

export const validityQuerySchema = z.strictObject({ prefix: prefixParam, origin_asn: asnParam });
export type ValidityQuery = z.output<typeof validityQuerySchema>;

export function parseValidityQuery(params: URLSearchParams): ParamResult<ValidityQuery> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) return { ok: false, message: `${key}: given more than once` };
    raw[key] = value;
  }
  for (const required of ['prefix', 'origin_asn']) if (!(required in raw)) return { ok: false, message: `${required}: is required` };
  const parsed = validityQuerySchema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeIssue(parsed.error) };
}

const apiVrp = z.object({
  prefix: z.string(),
  max_length: z.number().int(),
  asn: z.number().int(),
  /** This VRP names the route's origin. */
  matches_origin: z.boolean(),
  /** The route is no more specific than this VRP's maxLength. */
  within_max_length: z.boolean(),
});

export const validityResponseSchema = z.object({
  data: z.object({
    prefix: z.string(),
    origin_asn: z.number().int(),
    state: z.enum(ROV_STATES),
    reason: z.enum(INVALID_REASONS).nullable(),
    covering_vrps: z.array(apiVrp),
  }),
});
export type ValidityResponse = z.infer<typeof validityResponseSchema>;

export function toValidityResponse(q: ValidityQuery, r: RovResult): ValidityResponse {
  const len = Number(q.prefix.slice(q.prefix.lastIndexOf('/') + 1));
  return {
    data: {
      prefix: q.prefix,
      origin_asn: q.origin_asn,
      state: r.state,
      reason: r.reason,
      covering_vrps: r.covering.map((v) => ({ prefix: v.prefix, max_length: v.maxLength, asn: v.asn, matches_origin: v.asn === q.origin_asn && v.asn !== 0, within_max_length: len <= v.maxLength })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/rpki/summary

const isoOrNull = z.string().nullable();

export const summaryResponseSchema = z.object({
  data: z.object({
    /** Counts over the (prefix, origin) pairs currently announced, as the worker last published; null before it has. */
    routes: z.object({ visible_pairs: z.number(), valid: z.number(), invalid: z.number(), not_found: z.number(), untracked_overflow: z.number() }).nullable(),
    vrps: z.object({ total: z.number(), ipv4: z.number(), ipv6: z.number(), aspas: z.number(), index_built_at: isoOrNull }).nullable(),
    sources: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(RPKI_SOURCE_KINDS),
        serial: z.number().nullable(),
        vrp_count: z.number(),
        /** When the set in force was last loaded / refreshed successfully. */
        loaded_at: isoOrNull,
        age_seconds: z.number().nullable(),
        generated_at: isoOrNull,
        stale: z.boolean(),
        last_error: z.string().nullable(),
        last_error_at: isoOrNull,
      }),
    ),
    /** EXPERIMENTAL (ASPA is a draft): upstream AS_PATH verification of announcements seen; null without ASPA data. */
    aspa_upstream_experimental: z.object({ valid: z.number(), invalid: z.number(), unknown: z.number() }).nullable(),
    /** SLURM (RFC 8416) local exceptions: null when RPKI_SLURM_FILE is not set. `filtered` / `added`: VRPs in the last index. */
    slurm: z
      .object({ file: z.string(), in_force: z.boolean(), filters: z.number(), assertions: z.number(), filtered: z.number(), added: z.number(), loaded_at: isoOrNull, last_error: z.string().nullable(), last_error_at: isoOrNull })
      .nullable(),
    /** The worker's last published summary; null when it has never published. */
    updated_at: isoOrNull,
    /** True when the worker has not published for a while: the counts may be out of date. */
    stale: z.boolean(),
  }),
});
export type SummaryResponse = z.infer<typeof summaryResponseSchema>;

/** A worker summary older than this is reported stale (it publishes every 5 s). */
export const SUMMARY_MAX_AGE_MS = 60_000;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined || ms <= 0 ? null : new Date(ms).toISOString());

/** Pure: worker summary (may be absent or malformed) + stored sources → the response body. */
export function toSummaryResponse(state: { value: unknown; updatedAtMs: number } | null, stored: readonly StoredRpkiSource[], nowMs: number): SummaryResponse {
  const parsed = state ? routeSummarySchema.safeParse(state.value) : null;
  const s = parsed?.success ? parsed.data : null;
  const workerFresh = s !== null && nowMs - s.updatedAtMs <= SUMMARY_MAX_AGE_MS;
  const live = new Map((s?.sources ?? []).map((x) => [x.id, x]));
  const ids = [...new Set([...stored.map((x) => x.sourceId), ...live.keys()])].sort();
  const sources = ids.map((id) => {
    const db = stored.find((x) => x.sourceId === id);
    const l = live.get(id);
    const loadedMs = l?.lastSuccessMs ?? (db && db.loadedAtMs > 0 ? db.loadedAtMs : null);
    return {
      id,
      kind: (l?.kind ?? db?.kind)!,
      serial: l?.serial ?? db?.serial ?? null,
      vrp_count: l?.vrpCount ?? db?.vrpCount ?? 0,
      loaded_at: iso(loadedMs),
      age_seconds: loadedMs === null ? null : Math.max(0, Math.round((nowMs - loadedMs) / 1000)),
      generated_at: iso(db?.generatedAtMs),
      // Without a fresh worker report nobody is following the source: stale by definition.
      stale: !workerFresh || (l?.stale ?? true),
      last_error: l?.lastError ?? db?.lastError ?? null,
      last_error_at: iso(l?.lastErrorMs ?? db?.lastErrorAtMs),
    };
  });
  return {
    data: {
      routes: s ? { visible_pairs: s.counts.pairs, valid: s.counts.valid, invalid: s.counts.invalid, not_found: s.counts.notFound, untracked_overflow: s.counts.overflow } : null,
      vrps: s ? { total: s.index.vrps, ipv4: s.index.ipv4, ipv6: s.index.ipv6, aspas: s.index.aspas, index_built_at: iso(s.index.builtAtMs) } : null,
      sources,
      aspa_upstream_experimental: s?.aspa ?? null,
      slurm: s?.slurm
        ? { file: s.slurm.file, in_force: s.slurm.inForce, filters: s.slurm.filters, assertions: s.slurm.assertions, filtered: s.slurm.filtered, added: s.slurm.added, loaded_at: iso(s.slurm.loadedAtMs), last_error: s.slurm.lastError, last_error_at: iso(s.slurm.lastErrorMs) }
        : null,
      updated_at: iso(s?.updatedAtMs),
      stale: !workerFresh,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RPKI verdicts of backfilled routes, as the backfills API shows them per run and per file
// (`rpki`: null when no batch was validated, e.g. no VRP set anywhere yet).

export const backfillRpkiSchema = z.object({
  valid: z.number(),
  invalid: z.number(),
  invalid_as_mismatch: z.number(),
  invalid_max_length: z.number(),
  not_found: z.number(),
  /** VRPs in the set the routes were validated against (the set in force at backfill time, not at event time). */
  vrps: z.number(),
});
export type ApiBackfillRpki = z.infer<typeof backfillRpkiSchema>;

export function toApiBackfillRpki(c: BackfillRpkiCounts | undefined): ApiBackfillRpki | null {
  if (!c) return null;
  return { valid: c.valid, invalid: c.invalidAsn + c.invalidLength, invalid_as_mismatch: c.invalidAsn, invalid_max_length: c.invalidLength, not_found: c.notFound, vrps: c.vrpCount };
}
