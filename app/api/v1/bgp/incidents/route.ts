import { INCIDENT_ANOMALY_LIMIT, incidentsExtraParams, parseWindowQuery } from '@/lib/api/anomalies-contract';
import { toIncidentDtos } from '@/lib/api/anomaly-views';
import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { microsToIso } from '@/lib/api/serialize';
import { loadWindowAnomalies } from '@/lib/db/anomaly-summary';
import { correlate } from '@/lib/detect/correlate';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const q = parseWindowQuery(new URL(request.url).searchParams, incidentsExtraParams);
  if (!q.ok) return invalidParameter(q.message);
  try {
    const w = await loadWindowAnomalies(q.value, INCIDENT_ANOMALY_LIMIT);
    const minAnomalies = typeof q.value.min_anomalies === 'number' ? q.value.min_anomalies : 1;
    return jsonResponse({
      data: toIncidentDtos(correlate(w.anomalies), w.anomalies, minAnomalies),
      window_start: w.startUs === null ? null : microsToIso(w.startUs),
      window_end: w.endUs === null ? null : microsToIso(w.endUs),
      truncated: w.truncated,
    });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/incidents');
  }
}
