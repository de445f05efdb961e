// Zod contracts of the public HTTP API: query parameters in, JSON bodies out. The route handlers,
// the dashboard hooks and the tests all parse with these, so the wire shape is declared once.

import { parseEventIdParts } from '@/lib/bgp/event-id';
import { z } from 'zod';
import { feedStateSchema } from '@/lib/feed/schema';
import { EVENT_SOURCES, EVENT_TYPES, PREFIX_MATCHES, type EventFilter } from '@/lib/bgp/types';
import { canonicalPrefix, PrefixError } from '@/lib/bgp/prefix';

// ---------------------------------------------------------------------------------------------
// Parameter fragments

const MAX_ASN = 4_294_967_295;

export const asnParam = z
  .string()
  .regex(/^\d{1,10}$/, 'must be an AS number (integer 0..4294967295)')
  .transform(Number)
  .refine((n) => n <= MAX_ASN, 'must be an AS number (integer 0..4294967295)');

export const prefixParam = z.string().transform((s, ctx) => {
  try {
    return canonicalPrefix(s.trim());
  } catch (err) {
    const why = err instanceof PrefixError ? err.reason.replace(/^prefix \((.*)\)$/, '$1') : 'invalid';
    ctx.addIssue({ code: 'custom', message: `must be a CIDR prefix such as 192.0.2.0/24 (${why})` });
    return z.NEVER;
  }
});

const UNIX_SECONDS = /^(\d{1,11})(?:\.(\d{1,6}))?$/;
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Microseconds since the epoch from unix seconds ("1787141896.08") or ISO-8601
 * ("2026-11-22T10:00:00.123456Z"; no offset means UTC). null when it is neither.
 */
export function parseTimeToMicros(input: string): number | null {
  const s = input.trim();
  const unix = UNIX_SECONDS.exec(s);
  if (unix) {
    const whole = Number(unix[1]);
    const frac = Number((unix[2] ?? '').padEnd(6, '0'));
    return whole * 1_000_000 + frac;
  }
  const iso = ISO_8601.exec(s);
  if (!iso) return null;
  const [, date, time, fraction, offset] = iso;
  let zone = offset ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${time ?? '00:00'}${time && time.length === 5 ? ':00' : ''}${zone.toUpperCase()}`);
  if (Number.isNaN(ms)) return null;
  // Date.parse accepts "2026-02-31" by rolling over; reject dates that do not round-trip.
  if (new Date(ms + offsetMinutes(zone) * 60_000).toISOString().slice(0, 10) !== date) return null;
  const micros = Number((fraction ?? '').slice(0, 6).padEnd(6, '0'));
  return ms * 1000 + micros;
}

function offsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

export const timeParam = z.string().transform((s, ctx) => {
  const us = parseTimeToMicros(s);
  if (us === null) {
    ctx.addIssue({ code: 'custom', message: 'must be ISO-8601 (2026-11-22T10:00:00Z) or unix seconds' });
    return z.NEVER;
  }
  return us;
});

/** Reusable time window fragment; from ≤ to is checked on the whole query. */
export const timeRangeParams = {
  time_from: timeParam.optional(),
  time_to: timeParam.optional(),
};

/** Reusable paging fragment. The cursor is opaque to clients (the database layer encodes it). */
export const pagingParams = {
  cursor: z
    .string()
    .min(1, 'must not be empty')
    .max(512, 'is too long')
    .regex(/^[A-Za-z0-9_\-.=~:]+$/, 'is not a cursor returned by this API')
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be an integer 1..1000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be an integer 1..1000')
    .optional(),
};

export const DEFAULT_EVENT_LIMIT = 100;

export const eventsQuerySchema = z
  .strictObject({
    prefix: prefixParam.optional(),
    prefix_match: z.enum(PREFIX_MATCHES, { error: `must be one of ${PREFIX_MATCHES.join(', ')}` }).optional(),
    origin_asn: asnParam.optional(),
    peer_asn: asnParam.optional(),
    collector: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.\-_]{0,63}$/i, 'must be a collector name such as rrc21')
      .optional(),
    event_type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }).optional(),
    source: z.enum(EVENT_SOURCES, { error: `must be one of ${EVENT_SOURCES.join(', ')}` }).optional(),
    ...timeRangeParams,
    ...pagingParams,
  })
  .superRefine((q, ctx) => {
    if (q.time_from !== undefined && q.time_to !== undefined && q.time_from > q.time_to) {
      ctx.addIssue({ code: 'custom', path: ['time_from'], message: 'must not be after time_to' });
    }
    if (q.prefix_match !== undefined && q.prefix === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prefix_match'], message: 'needs a prefix' });
    }
  });

export type EventsQuery = z.output<typeof eventsQuerySchema>;

export function toEventFilter(q: EventsQuery): EventFilter {
  const filter: EventFilter = { limit: q.limit ?? DEFAULT_EVENT_LIMIT };
  if (q.prefix !== undefined) {
    filter.prefix = q.prefix;
    filter.prefixMatch = q.prefix_match ?? 'exact';
  }
  if (q.origin_asn !== undefined) filter.originAsn = q.origin_asn;
  if (q.peer_asn !== undefined) filter.peerAsn = q.peer_asn;
  if (q.collector !== undefined) filter.collector = q.collector.toLowerCase().replace(/\.ripe\.net$/, '');
  if (q.event_type !== undefined) filter.eventType = q.event_type;
  if (q.source !== undefined) filter.source = q.source;
  if (q.time_from !== undefined) filter.timeFromUs = q.time_from;
  if (q.time_to !== undefined) filter.timeToUs = q.time_to;
  if (q.cursor !== undefined) filter.cursor = q.cursor;
  return filter;
}

/** Event ids are `<timestamp µs>_<dedup key>` (lib/bgp/event-id.ts). */
export const eventIdParam = z
  .string()
  .refine((s) => parseEventIdParts(s) !== null, 'must be an event id as returned by this API (<timestamp µs>_<dedup key>)');

// ---------------------------------------------------------------------------------------------
// Parsing URLSearchParams into the contracts, with one error message per bad parameter

export type ParamResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** "<param>: <why>" for the first problem, the format of the 400 envelope's message. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown parameter${issue.keys.length > 1 ? 's' : ''}`;
  }
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

export function parseEventsQuery(params: URLSearchParams): ParamResult<EventFilter> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) return { ok: false, message: `${key}: given more than once` };
    raw[key] = value;
  }
  const parsed = eventsQuerySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  return { ok: true, value: toEventFilter(parsed.data) };
}

export function parseEventId(id: string): ParamResult<string> {
  const parsed = eventIdParam.safeParse(id);
  if (!parsed.success) return { ok: false, message: `id: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { ok: true, value: parsed.data };
}

// ---------------------------------------------------------------------------------------------
// Response bodies

const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);

export const apiBgpEventSchema = z.object({
  id: z.string(),
  source: z.enum(EVENT_SOURCES),
  collector: z.string(),
  peer_asn: z.number().int(),
  peer_ip: z.string(),
  event_type: z.enum(EVENT_TYPES),
  prefix: z.string(),
  prefix_length: z.number().int(),
  origin_asn: z.number().int().nullable(),
  as_path: z.array(z.number().int()),
  as_path_set_mask: z.array(z.boolean()).nullable(),
  as_path_length: z.number().int(),
  communities: z.array(z.string()),
  next_hop: z.string().nullable(),
  med: z.number().nullable(),
  local_pref: z.number().nullable(),
  origin_attribute: z.enum(['igp', 'egp', 'incomplete']).nullable(),
  aggregator: z.string().nullable(),
  timestamp: isoTimestamp,
  raw_message: z.unknown(),
  dedup_key: z.string(),
  ingested_at: isoTimestamp,
});

export function apiPageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const eventsPageSchema = apiPageSchema(apiBgpEventSchema);
export const eventResponseSchema = z.object({ data: apiBgpEventSchema });

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const ERROR_CODES = ['invalid_parameter', 'not_found', 'service_unavailable', 'internal_error'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

// ---------------------------------------------------------------------------------------------
// Live feed (Redis state, SSE push) — camelCase, as the collector writes it

export { feedStateSchema };
/** SSE `event: feed` payload: a FeedUpdate, or `feed: null` before any collector has reported. */
export const streamFeedEventSchema = z.object({
  feed: feedStateSchema.nullable(),
  latest: z.array(apiBgpEventSchema),
});
export type StreamFeedEvent = z.infer<typeof streamFeedEventSchema>;

// ---------------------------------------------------------------------------------------------
// Health

export const componentStatus = z.enum(['ok', 'error']);

export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checked_at: z.string(),
  components: z.object({
    database: z.object({ status: componentStatus, latency_ms: z.number().nullable(), error: z.string().optional() }),
    redis: z.object({ status: componentStatus, latency_ms: z.number().nullable(), error: z.string().optional() }),
    worker: z.object({
      status: componentStatus,
      heartbeats: z.array(
        z.object({
          worker_id: z.string(),
          pid: z.number(),
          queues: z.array(z.string()),
          started_at: z.string(),
          beat_at: z.string(),
          age_ms: z.number(),
        }),
      ),
      error: z.string().optional(),
    }),
    feed: z.object({
      status: componentStatus,
      label: z.enum(['live', 'simulated']).nullable(),
      connection: z.enum(['connecting', 'connected', 'disconnected', 'stopped']).nullable(),
      url: z.string().nullable(),
      messages_per_second: z.number().nullable(),
      events_per_second: z.number().nullable(),
      total_messages: z.number().nullable(),
      total_events: z.number().nullable(),
      malformed_frames: z.number().nullable(),
      last_message_at: z.string().nullable(),
      last_event_time: z.string().nullable(),
      last_gap: z.object({ started_at: z.string(), ended_at: z.string(), reason: z.string() }).nullable(),
      reconnects: z.number().nullable(),
      updated_at: z.string().nullable(),
      error: z.string().optional(),
    }),
    rpki: z.object({
      status: componentStatus,
      stale_sources: z.array(z.string()),
      vrps: z.number().nullable(),
      oldest_set_age_seconds: z.number().nullable(),
      error: z.string().optional(),
    }),
  }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
