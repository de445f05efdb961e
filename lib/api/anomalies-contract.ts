// Contract of the anomalies API (/api/v1/bgp/anomalies, …/{id}, …/summary, /api/v1/bgp/incidents):
// query parameters in, bodies out. The route handlers, the dashboard hooks and the tests parse
// with these. Anomaly bodies use the shared AnomalyDto (lib/api/anomaly-dto.ts), the same shape
// the push stream carries, so the list and its live updates merge without translation.

import { z } from 'zod';
import { anomalyDtoSchema } from '@/lib/api/anomaly-dto';
import { apiPageSchema, asnParam, describeIssue, pagingParams, prefixParam, timeRangeParams, type ParamResult } from '@/lib/api/contracts';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES, type AnomalyFilter } from '@/lib/detect/types';

export const DEFAULT_ANOMALY_LIMIT = 50;

/** "a,b,c" → a de-duplicated list of enum members; names the first unknown one. */
function csvEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform((s, ctx) => {
    const items = [...new Set(s.split(',').map((x) => x.trim()).filter((x) => x !== ''))];
    if (items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `must list one or more of ${values.join(', ')}` });
      return z.NEVER;
    }
    const bad = items.find((x) => !(values as readonly string[]).includes(x));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown value "${bad.slice(0, 40)}"; use ${values.join(', ')} (comma-separated)` });
      return z.NEVER;
    }
    return items as T[number][];
  });
}

export const ANOMALY_PREFIX_MATCHES = ['exact', 'more_specific'] as const;

const fromBeforeTo = (q: { time_from?: number; time_to?: number }, ctx: z.RefinementCtx) => {
  if (q.time_from !== undefined && q.time_to !== undefined && q.time_from > q.time_to) {
    ctx.addIssue({ code: 'custom', path: ['time_from'], message: 'must not be after time_to' });
  }
};

export const anomaliesQuerySchema = z
  .strictObject({
    severity: csvEnum(SEVERITIES).optional(),
    anomaly_type: csvEnum(ANOMALY_TYPES).optional(),
    status: csvEnum(ANOMALY_STATUSES).optional(),
    prefix: prefixParam.optional(),
    prefix_match: z.enum(ANOMALY_PREFIX_MATCHES, { error: `must be one of ${ANOMALY_PREFIX_MATCHES.join(', ')}` }).optional(),
    origin_asn: asnParam.optional(),
    watched: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
    ...timeRangeParams,
    ...pagingParams,
  })
  .superRefine((q, ctx) => {
    fromBeforeTo(q, ctx);
    if (q.prefix_match !== undefined && q.prefix === undefined) ctx.addIssue({ code: 'custom', path: ['prefix_match'], message: 'needs a prefix' });
  });

function collect(params: URLSearchParams): ParamResult<Record<string, string>> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) return { ok: false, message: `${key}: given more than once` };
    raw[key] = value;
  }
  return { ok: true, value: raw };
}

export function parseAnomaliesQuery(params: URLSearchParams): ParamResult<AnomalyFilter> {
  const raw = collect(params);
  if (!raw.ok) return raw;
  const parsed = anomaliesQuerySchema.safeParse(raw.value);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const q = parsed.data;
  const f: AnomalyFilter = { limit: q.limit ?? DEFAULT_ANOMALY_LIMIT };
  if (q.severity) f.severity = q.severity;
  if (q.anomaly_type) f.anomalyType = q.anomaly_type;
  if (q.status) f.status = q.status;
  if (q.prefix !== undefined) {
    f.prefix = q.prefix;
    f.prefixMatch = q.prefix_match ?? 'exact';
  }
  if (q.origin_asn !== undefined) f.originAsn = q.origin_asn;
  if (q.watched !== undefined) f.watched = q.watched === 'true';
  if (q.time_from !== undefined) f.timeFromUs = q.time_from;
  if (q.time_to !== undefined) f.timeToUs = q.time_to;
  if (q.cursor !== undefined) f.cursor = q.cursor;
  return { ok: true, value: f };
}

export function parseAnomalyId(id: string): ParamResult<string> {
  return /^\d{1,18}$/.test(id) ? { ok: true, value: id } : { ok: false, message: 'id: must be an anomaly id (an integer)' };
}

// ---------------------------------------------------------------------------------------------
// Windows (summary, incidents): a named length back from time_to, or an explicit range.

export const SUMMARY_WINDOWS = { '1h': 3600, '6h': 6 * 3600, '24h': 24 * 3600, '7d': 7 * 86400, '30d': 30 * 86400 } as const;
export type SummaryWindow = keyof typeof SUMMARY_WINDOWS;
const WINDOW_NAMES = Object.keys(SUMMARY_WINDOWS) as [SummaryWindow, ...SummaryWindow[]];

/**
 * A window of event time. `endUs` null means "up to the newest anomaly": the database resolves it
 * to the latest started_at, so the window follows BGP time (a replay of last year's data gets last
 * year's 24 h), never the wall clock.
 */
export interface WindowRequest {
  startUs: number | null;
  endUs: number | null;
  /** Seconds before the end, when the window was given by name (applies once the end is known). */
  lengthS: number | null;
}

const windowQuerySchema = z
  .strictObject({
    window: z.enum(WINDOW_NAMES, { error: `must be one of ${WINDOW_NAMES.join(', ')}` }).optional(),
    ...timeRangeParams,
  })
  .superRefine((q, ctx) => {
    fromBeforeTo(q, ctx);
    if (q.window !== undefined && q.time_from !== undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: 'give either window or time_from, not both' });
  });

export function parseWindowQuery(params: URLSearchParams, extra: z.ZodRawShape = {}): ParamResult<WindowRequest & Record<string, unknown>> {
  const raw = collect(params);
  if (!raw.ok) return raw;
  const schema = Object.keys(extra).length ? windowQuerySchema.safeExtend(extra) : windowQuerySchema;
  const parsed = schema.safeParse(raw.value);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const q = parsed.data as z.output<typeof windowQuerySchema> & Record<string, unknown>;
  const { window, time_from, time_to, ...rest } = q;
  const lengthS = time_from !== undefined ? null : SUMMARY_WINDOWS[window ?? '24h'];
  return { ok: true, value: { ...rest, startUs: time_from ?? null, endUs: time_to ?? null, lengthS } };
}

export const INCIDENT_ANOMALY_LIMIT = 5000;
export const incidentsExtraParams = {
  min_anomalies: z
    .string()
    .regex(/^\d{1,4}$/, 'must be an integer 1..1000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be an integer 1..1000')
    .optional(),
};

// ---------------------------------------------------------------------------------------------
// Bodies

const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);

export const anomaliesPageSchema = apiPageSchema(anomalyDtoSchema);
export const anomalyResponseSchema = z.object({ data: anomalyDtoSchema });

const countsOf = <T extends readonly [string, ...string[]]>(keys: T) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const anomalySummarySchema = z.object({
  window_start: isoTimestamp.nullable(),
  window_end: isoTimestamp.nullable(),
  total: z.number().int(),
  watched_ongoing: z.number().int(),
  by_type: countsOf(ANOMALY_TYPES),
  by_severity: countsOf(SEVERITIES),
  by_status: countsOf(ANOMALY_STATUSES),
});
export type AnomalySummaryDto = z.infer<typeof anomalySummarySchema>;
export const anomalySummaryResponseSchema = z.object({ data: anomalySummarySchema });

export const incidentDtoSchema = z.object({
  id: z.string(),
  severity: z.enum(SEVERITIES),
  summary: z.string(),
  shared_by: z.string(),
  started_at: isoTimestamp,
  ended_at: isoTimestamp.nullable(),
  prefixes: z.array(z.string()),
  origins: z.array(z.number().int()),
  types: z.record(z.string(), z.number().int()),
  /** Anomaly ids (for /api/v1/bgp/anomalies/{id}). */
  anomaly_ids: z.array(z.string()),
});
export type IncidentDto = z.infer<typeof incidentDtoSchema>;
export const incidentsResponseSchema = z.object({
  data: z.array(incidentDtoSchema),
  window_start: isoTimestamp.nullable(),
  window_end: isoTimestamp.nullable(),
  /** True when the window held more anomalies than were correlated (the newest were kept). */
  truncated: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Query strings the dashboard builds from its filter form (the inverse of parseAnomaliesQuery).

export interface AnomalyListFilters {
  severity: string[];
  anomalyType: string[];
  status: string[];
  prefix: string;
  prefixMatch: 'exact' | 'more_specific';
  originAsn: string;
  timeFrom: string;
  timeTo: string;
}

export const EMPTY_FILTERS: AnomalyListFilters = { severity: [], anomalyType: [], status: [], prefix: '', prefixMatch: 'exact', originAsn: '', timeFrom: '', timeTo: '' };

export function filtersToQuery(f: AnomalyListFilters, extra: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (f.severity.length) q.set('severity', f.severity.join(','));
  if (f.anomalyType.length) q.set('anomaly_type', f.anomalyType.join(','));
  if (f.status.length) q.set('status', f.status.join(','));
  if (f.prefix.trim()) {
    q.set('prefix', f.prefix.trim());
    if (f.prefixMatch !== 'exact') q.set('prefix_match', f.prefixMatch);
  }
  if (f.originAsn.trim()) q.set('origin_asn', f.originAsn.trim().replace(/^as/i, ''));
  if (f.timeFrom.trim()) q.set('time_from', f.timeFrom.trim());
  if (f.timeTo.trim()) q.set('time_to', f.timeTo.trim());
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

// ---------------------------------------------------------------------------------------------
// Webhook delivery status (GET /api/v1/bgp/anomalies/webhooks)

export const webhookStatusSchema = z.object({
  id: z.string(),
  /** Without credentials or query string. */
  url: z.string(),
  format: z.string(),
  min_severity: z.string(),
  types: z.array(z.string()),
  watched_only: z.boolean(),
  signed: z.boolean(),
  delivered: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
  skipped: z.number().int(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_delivered_at: isoTimestamp.nullable(),
  last_failed_at: isoTimestamp.nullable(),
});
export const webhooksResponseSchema = z.object({ data: z.array(webhookStatusSchema), config_error: z.string().nullable() });
