// The RPKI component of /api/health. Pure: takes what lib/db/rpki.ts returns (getRpkiState of
// ROUTE_SUMMARY_KEY and listRpkiSources) and `nowMs`.
//
// Wiring (app/api/health is not ours): in lib/api/health-probe.ts gather
//   const [state, sources] = await Promise.all([getRpkiState(ROUTE_SUMMARY_KEY), listRpkiSources()])
// and in lib/api/health.ts add `rpki: buildRpkiHealth(state, sources, nowMs)` to the components.

import { toSummaryResponse } from '@/lib/api/rpki-contracts';
import type { StoredRpkiSource } from '@/lib/db/rpki';

export interface RpkiHealth {
  status: 'ok' | 'error';
  /** Sources that are not currently delivering (their last good set is still in force). */
  stale_sources: string[];
  vrps: number | null;
  /** Age of the oldest set in force, seconds. */
  oldest_set_age_seconds: number | null;
  error?: string;
}

export function buildRpkiHealth(state: { value: unknown; updatedAtMs: number } | null, stored: readonly StoredRpkiSource[], nowMs: number): RpkiHealth {
  const s = toSummaryResponse(state, stored, nowMs).data;
  const stale = s.sources.filter((x) => x.stale).map((x) => x.id);
  const ages = s.sources.map((x) => x.age_seconds).filter((x): x is number => x !== null);
  const base = { stale_sources: stale, vrps: s.vrps?.total ?? null, oldest_set_age_seconds: ages.length > 0 ? Math.max(...ages) : null };
  if (s.sources.length === 0) return { status: 'ok', ...base };
  if (s.stale) return { status: 'error', ...base, error: 'the worker has not published RPKI state recently' };
  if (stale.length > 0) return { status: 'error', ...base, error: `RPKI source(s) stale, last good set kept: ${stale.join(', ')}` };
  return { status: 'ok', ...base };
}
