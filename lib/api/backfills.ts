// Contract of the backfill API (/api/v1/bgp/backfills): the POST body, the list query and the
// wire shape of runs and files. Used by the route handlers, the page and the tests.

import { z } from 'zod';
import { describeIssue, pagingParams, parseTimeToMicros, type ParamResult } from '@/lib/api/contracts';
import { microsToIso } from '@/lib/api/serialize';
import { runProgress } from '@/lib/backfill/progress';
import { DUMP_TYPES, type BackfillFileRow, type BackfillRequest, type BackfillRunRow } from '@/lib/backfill/types';
import { backfillRpkiSchema } from '@/lib/api/rpki-contracts';

const name = z.string().regex(/^[a-z0-9][a-z0-9.\-_]{0,63}$/i, 'must be a name such as rrc21');

/** ISO-8601 or unix seconds, as a string or a number → unix seconds. */
const bodyTime = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const us = parseTimeToMicros(String(v));
  if (us === null) {
    ctx.addIssue({ code: 'custom', message: 'must be ISO-8601 (2026-11-22T10:00:00Z) or unix seconds' });
    return z.NEVER;
  }
  return Math.floor(us / 1_000_000);
});

export const backfillBodySchema = z.union([
  z.strictObject({
    /** Local paths on the server or http(s) URLs of MRT files. */
    files: z.array(z.string().min(1).max(4096)).min(1, 'must list at least one file').max(10_000),
    collector: name.optional(),
  }),
  z
    .strictObject({
      from: bodyTime,
      to: bodyTime,
      collectors: z.array(name).max(1000).optional(),
      projects: z.array(name).max(20).optional(),
      type: z.enum(DUMP_TYPES, { error: `must be one of ${DUMP_TYPES.join(', ')}` }),
    })
    .refine((b) => b.from <= b.to, { path: ['from'], message: 'must not be after to' }),
]);

export function parseBackfillBody(body: unknown): ParamResult<BackfillRequest> {
  const parsed = backfillBodySchema.safeParse(body);
  if (!parsed.success) {
    // A union reports "invalid input" at the top: name the branch the body was meant for.
    const branch = body !== null && typeof body === 'object' && 'files' in body ? 0 : 1;
    const again = branch === 0 ? backfillBodySchema.options[0].safeParse(body) : backfillBodySchema.options[1].safeParse(body);
    return { ok: false, message: again.success ? describeIssue(parsed.error) : `body: ${describeIssue(again.error)}` };
  }
  const b = parsed.data;
  if ('files' in b) return { ok: true, value: { kind: 'files', files: b.files, ...(b.collector ? { collector: b.collector } : {}) } };
  return { ok: true, value: { kind: 'archive', from: b.from, to: b.to, collectors: b.collectors ?? [], projects: b.projects ?? [], type: b.type } };
}

const listQuerySchema = z.strictObject({ ...pagingParams });
export const DEFAULT_BACKFILL_LIMIT = 50;

export function parseBackfillListQuery(params: URLSearchParams): ParamResult<{ limit: number; cursor?: string }> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) return { ok: false, message: `${key}: given more than once` };
    raw[key] = value;
  }
  const parsed = listQuerySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  return { ok: true, value: { limit: parsed.data.limit ?? DEFAULT_BACKFILL_LIMIT, ...(parsed.data.cursor ? { cursor: parsed.data.cursor } : {}) } };
}

export function parseRunId(id: string): ParamResult<string> {
  return /^\d{1,18}$/.test(id) ? { ok: true, value: id } : { ok: false, message: 'id: must be a backfill run id (an integer)' };
}

// ---------------------------------------------------------------------------------------------
// Wire shapes

const iso = (ms: number | null) => (ms === null ? null : microsToIso(ms * 1000));

export const apiBackfillRunSchema = z.object({
  id: z.string(),
  status: z.enum(['planning', 'running', 'done', 'partial', 'failed']),
  params: z.unknown(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  files_total: z.number(),
  files_done: z.number(),
  files_failed: z.number(),
  records: z.number(),
  events: z.number(),
  inserted: z.number(),
  duplicates: z.number(),
  errors: z.number(),
  progress: z.number(),
  events_per_second: z.number().nullable(),
  eta_seconds: z.number().nullable(),
  gap_id: z.string().nullable(),
  last_error: z.string().nullable(),
  /** RPKI verdicts of the run's routes (added by the handlers from lib/db/rpki.ts). */
  rpki: backfillRpkiSchema.nullable().optional(),
});
export type ApiBackfillRun = z.infer<typeof apiBackfillRunSchema>;

export const apiBackfillFileSchema = z.object({
  id: z.string(),
  location: z.string(),
  project: z.string().nullable(),
  collector: z.string(),
  dump_type: z.string(),
  interval_start: z.string().nullable(),
  interval_end: z.string().nullable(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  bytes: z.number().nullable(),
  records: z.number(),
  events: z.number(),
  inserted: z.number(),
  duplicates: z.number(),
  skipped: z.number(),
  byte_offset: z.number(),
  error: z.string().nullable(),
  error_byte_offset: z.number().nullable(),
  error_record: z.number().nullable(),
  attempts: z.number(),
  rpki: backfillRpkiSchema.nullable().optional(),
});
export type ApiBackfillFile = z.infer<typeof apiBackfillFileSchema>;

export const backfillListSchema = z.object({ data: z.array(apiBackfillRunSchema), next_cursor: z.string().nullable() });
export const backfillDetailSchema = z.object({ data: apiBackfillRunSchema.extend({ files: z.array(apiBackfillFileSchema) }) });

export function toApiBackfillRun(r: BackfillRunRow, nowMs: number): ApiBackfillRun {
  const p = runProgress(r, nowMs);
  return {
    id: r.id,
    status: r.status,
    params: r.params,
    created_at: iso(r.createdAtMs)!,
    started_at: iso(r.startedAtMs),
    finished_at: iso(r.finishedAtMs),
    files_total: r.filesTotal,
    files_done: r.filesDone,
    files_failed: r.filesFailed,
    records: r.records,
    events: r.events,
    inserted: r.inserted,
    duplicates: r.duplicates,
    errors: r.errors,
    progress: p.fraction,
    events_per_second: p.eventsPerSecond === null ? null : Math.round(p.eventsPerSecond),
    eta_seconds: p.etaSeconds === null ? null : Math.round(p.etaSeconds),
    gap_id: r.gapId,
    last_error: r.lastError,
  };
}

export function toApiBackfillFile(f: BackfillFileRow): ApiBackfillFile {
  const start = f.initialTime === null ? null : f.initialTime * 1000;
  return {
    id: f.id,
    location: f.location,
    project: f.project,
    collector: f.collector,
    dump_type: f.dumpType,
    interval_start: iso(start),
    interval_end: start === null ? null : iso(start + (f.duration ?? 0) * 1000),
    status: f.status,
    bytes: f.bytes,
    records: f.records,
    events: f.events,
    inserted: f.inserted,
    duplicates: f.duplicates,
    skipped: f.skipped,
    byte_offset: f.byteOffset,
    error: f.error,
    error_byte_offset: f.errorByteOffset,
    error_record: f.errorRecord,
    attempts: f.attempts,
  };
}
