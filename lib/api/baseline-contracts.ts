// Contract of GET /api/v1/bgp/prefixes/{prefix}/baseline: the path segment and query in, the
// baseline body out (snake_case like the rest of the API).

import { z } from 'zod';
import { describeIssue, prefixParam, type ParamResult } from '@/lib/api/contracts';
import { microsToIso } from '@/lib/api/serialize';
import { BASELINE_WINDOWS, WINDOW_HOURS, type BaselineSummary, type BaselineWindow } from '@/lib/baseline/types';
import { hourStartUs } from '@/lib/baseline/windows';

/** Links and paths listed at most (most frequent first); the totals say how many exist. */
export const BASELINE_LIST_LIMIT = 200;

export const baselineQuerySchema = z.strictObject({
  window: z.enum(BASELINE_WINDOWS, { error: `must be one of ${BASELINE_WINDOWS.join(', ')}` }).optional(),
});

export interface BaselineRequest {
  prefix: string;
  window: BaselineWindow;
}

export function parseBaselineRequest(segment: string, params: URLSearchParams): ParamResult<BaselineRequest> {
  let raw = segment;
  // The prefix arrives URL-encoded (193.0.0.0%2F21); a CIDR never contains '%' itself.
  if (raw.includes('%')) {
    try {
      raw = decodeURIComponent(raw);
    } catch {
      return { ok: false, message: 'prefix: is not valid URL encoding' };
    }
  }
  const prefix = prefixParam.safeParse(raw);
  if (!prefix.success) return { ok: false, message: `prefix: ${prefix.error.issues[0]?.message ?? 'invalid'}` };
  const query: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in query) return { ok: false, message: `${key}: given more than once` };
    query[key] = value;
  }
  const q = baselineQuerySchema.safeParse(query);
  if (!q.success) return { ok: false, message: describeIssue(q.error) };
  return { ok: true, value: { prefix: prefix.data, window: q.data.window ?? '24h' } };
}

const rate = z.object({ mean: z.number(), stddev: z.number() });
const distribution = z.object({ median: z.number(), max: z.number(), mean: z.number() });

export const apiPrefixBaselineSchema = z.object({
  prefix: z.string(),
  window: z.enum(BASELINE_WINDOWS),
  window_start: z.string(),
  window_end: z.string(),
  hours_covered: z.number().int(),
  hours_seen: z.number().int(),
  announcements: z.number(),
  withdrawals: z.number(),
  origins: z.array(z.object({ asn: z.number().int(), count: z.number(), share: z.number() })),
  paths_total: z.number().int(),
  paths: z.array(z.object({ key: z.number().int(), count: z.number() })),
  path_lengths: z.array(z.object({ length: z.number().int(), count: z.number() })),
  links_total: z.number().int(),
  links: z.array(z.object({ from: z.number().int(), to: z.number().int(), count: z.number() })),
  visibility: z.object({ peers: distribution, collectors: distribution }),
  rates: z.object({ announcements: rate, withdrawals: rate, updates: rate }),
});
export type ApiPrefixBaseline = z.infer<typeof apiPrefixBaselineSchema>;

export const prefixBaselineResponseSchema = z.object({ data: apiPrefixBaselineSchema });

export function toApiBaseline(prefix: string, s: BaselineSummary): ApiPrefixBaseline {
  return {
    prefix,
    window: s.window,
    window_start: microsToIso(hourStartUs(s.asOfHour - WINDOW_HOURS[s.window] + 1)),
    window_end: microsToIso(hourStartUs(s.asOfHour + 1)),
    hours_covered: s.hoursCovered,
    hours_seen: s.hoursSeen,
    announcements: s.announcements,
    withdrawals: s.withdrawals,
    origins: s.origins,
    paths_total: s.paths.length,
    paths: s.paths.slice(0, BASELINE_LIST_LIMIT),
    path_lengths: s.pathLengths,
    links_total: s.links.length,
    links: s.links.slice(0, BASELINE_LIST_LIMIT),
    visibility: s.visibility,
    rates: s.rates,
  };
}
