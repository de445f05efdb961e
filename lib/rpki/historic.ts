// Route origin validation of backfilled (historic) routes. Pure.
//
// Historic routes are validated as they are loaded but never enter the live route table: that
// table is "what is announced now" (the summary counts it, a VRP change re-validates it), and a
// week-old announcement is not. What an operator gets for historic data instead:
// - verdict counts per batch (summed per file and per run for the backfills API and page);
// - for a watched prefix (RPKI_WATCH_PREFIXES), one rpki_invalid anomaly per (prefix, origin) and
//   backfill run, dated by the routes' own event times (first seen → last seen in the data), with
//   status `resolved`: it is a finding about the past. Whether the route is still announced is the
//   live table's business, which raises its own anomaly when it is.
// The verdicts use the VRP set in force when the backfill runs: RPKI history is not kept here, so
// a route that was valid under last year's ROAs can count as invalid today (the evidence says so).

import type { BgpEvent } from '@/lib/bgp/types';
import { rpkiAnomaly, type RpkiAnomaly, type WatchList } from '@/lib/rpki/anomalies';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';
import { VERDICT, type VerdictCode } from '@/lib/rpki/types';
import { validateEvents } from '@/lib/rpki/validate-events';
import type { VrpIndex } from '@/lib/rpki/vrp-index';

export interface VerdictCounts {
  valid: number;
  invalidAsn: number;
  invalidLength: number;
  notFound: number;
}

export const emptyCounts = (): VerdictCounts => ({ valid: 0, invalidAsn: 0, invalidLength: 0, notFound: 0 });

export interface HistoricRpkiAnomaly extends RpkiAnomaly {
  /** Event time (µs) of the last invalid announcement of the pair in the data. */
  endedAtUs: number;
  runId: string;
}

export interface HistoricResult {
  counts: VerdictCounts;
  anomalies: HistoricRpkiAnomaly[];
}

const COUNT_FIELD: Record<VerdictCode, keyof VerdictCounts> = {
  [VERDICT.valid]: 'valid',
  [VERDICT.invalidAsn]: 'invalidAsn',
  [VERDICT.invalidLength]: 'invalidLength',
  [VERDICT.notFound]: 'notFound',
};

/** Dedup key of a historic rpki_invalid anomaly: one per (prefix, origin) per backfill run. */
export const historicDedupKey = (prefix: string, origin: number | null, runId: string) => `rpki_invalid|${prefix}|${origin ?? ''}|backfill:${runId}`;

/**
 * Verdict counts of the batch's announcements (withdrawals carry no origin: not counted), and the
 * anomalies for invalid announcements inside watched prefixes.
 */
export function validateHistoric(events: readonly BgpEvent[], index: VrpIndex, watch: WatchList | null, runId: string): HistoricResult {
  const codes = validateEvents(events, index);
  const counts = emptyCounts();
  const invalid = new Map<string, { e: BgpEvent; code: VerdictCode; first: number; last: number }>();
  for (let i = 0; i < events.length; i++) {
    const code = codes[i]!;
    if (code > 3) continue;
    counts[COUNT_FIELD[code as VerdictCode]]++;
    if (code !== VERDICT.invalidAsn && code !== VERDICT.invalidLength) continue;
    if (!watch || watch.size === 0) continue;
    const e = events[i]!;
    const key = `${e.prefix}|${e.originAsn ?? ''}`;
    const seen = invalid.get(key);
    if (seen) {
      if (e.timestampUs < seen.first) seen.first = e.timestampUs;
      if (e.timestampUs > seen.last) seen.last = e.timestampUs;
    } else if (watch.contains(e.prefix)) {
      invalid.set(key, { e, code: code as VerdictCode, first: e.timestampUs, last: e.timestampUs });
    }
  }
  const anomalies: HistoricRpkiAnomaly[] = [];
  for (const { e, code, first, last } of invalid.values()) {
    const p = tryPrefixToWords(e.prefix, true);
    const a = rpkiAnomaly({ prefix: e.prefix, origin: e.originAsn, verdict: code, lastSeenUs: last }, null, p ? index.coveringWords(p) : [], 'backfill', first);
    anomalies.push({
      ...a,
      // Historic findings are not alarms about now: one level below their live counterpart.
      severity: 'low',
      summary: `Historic (backfill run ${runId}): ${a.summary}`,
      dedupKey: historicDedupKey(e.prefix, e.originAsn, runId),
      endedAtUs: last,
      runId,
    });
  }
  return { counts, anomalies };
}

export function addCounts(into: VerdictCounts, c: VerdictCounts): VerdictCounts {
  into.valid += c.valid;
  into.invalidAsn += c.invalidAsn;
  into.invalidLength += c.invalidLength;
  into.notFound += c.notFound;
  return into;
}
