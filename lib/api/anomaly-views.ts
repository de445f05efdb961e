// Domain results → wire bodies of the anomalies summary and incidents endpoints (pure).

import type { AnomalySummaryDto, IncidentDto } from '@/lib/api/anomalies-contract';
import { microsToIso } from '@/lib/api/serialize';
import type { Incident } from '@/lib/detect/correlate';
import { SEVERITIES, type StoredAnomaly } from '@/lib/detect/types';
import type { AnomalySummary } from '@/lib/db/anomaly-summary';

const iso = (us: number | null) => (us === null ? null : microsToIso(us));

export function toSummaryDto(s: AnomalySummary): AnomalySummaryDto {
  return {
    window_start: iso(s.startUs),
    window_end: iso(s.endUs),
    total: s.total,
    watched_ongoing: s.watchedOngoing,
    by_type: s.byType,
    by_severity: s.bySeverity,
    by_status: s.byStatus,
  };
}

/**
 * Incidents with the ids of their anomalies, most severe first, then ongoing before ended, then
 * newest; incidents smaller than minAnomalies are left out (1 keeps single anomalies).
 */
export function toIncidentDtos(incidents: readonly Incident[], anomalies: readonly StoredAnomaly[], minAnomalies = 1): IncidentDto[] {
  const idByKey = new Map(anomalies.map((a) => [a.dedupKey, a.id]));
  return incidents
    .filter((i) => i.anomalies.length >= minAnomalies)
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        Number(a.endedAtUs !== null) - Number(b.endedAtUs !== null) ||
        b.startedAtUs - a.startedAtUs,
    )
    .map((i) => ({
      id: idByKey.get(i.id) ?? i.id,
      severity: i.severity,
      summary: i.summary,
      shared_by: i.sharedBy,
      started_at: microsToIso(i.startedAtUs),
      ended_at: iso(i.endedAtUs),
      prefixes: i.prefixes,
      origins: i.origins,
      types: Object.fromEntries(Object.entries(i.types).filter((e): e is [string, number] => e[1] !== undefined)),
      anomaly_ids: i.anomalies.flatMap((k) => {
        const id = idByKey.get(k);
        return id === undefined ? [] : [id];
      }),
    }));
}
