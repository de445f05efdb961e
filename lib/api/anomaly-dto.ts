// Wire shape of one anomaly (issue 5), shared by the REST API (/api/v1/bgp/anomalies), the push
// channel (Redis Stream bgp:anomalies, SSE /api/v1/bgp/anomalies/stream), the webhooks and the
// dashboard hooks: one zod schema, parsed on both sides. Times are event time (BGP timestamps) as
// ISO-8601 UTC with microseconds, except createdAt/updatedAt (when the row was written).

import { z } from 'zod';
import { microsToIso } from '@/lib/api/serialize';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES, type StoredAnomaly } from '@/lib/detect/types';

const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);
const detailValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.array(z.string()), z.null()]);

export const anomalySightingDtoSchema = z.object({
  collector: z.string(),
  peerIp: z.string(),
  peerAsn: z.number().int(),
  at: isoTimestamp,
  asPath: z.array(z.number().int()),
});
export type AnomalySightingDto = z.infer<typeof anomalySightingDtoSchema>;

export const anomalyEvidenceDtoSchema = z.object({
  peers: z.array(z.string()),
  collectors: z.array(z.string()),
  samples: z.array(anomalySightingDtoSchema),
  // rpki_invalid rows keep a free-form evidence object: details pass any JSON through.
  details: z.record(z.string(), z.union([detailValue, z.unknown()])),
  heuristic: z.boolean(),
});

export const anomalyDtoSchema = z.object({
  id: z.string(),
  type: z.enum(ANOMALY_TYPES),
  severity: z.enum(SEVERITIES),
  status: z.enum(ANOMALY_STATUSES),
  confidence: z.number(),
  prefix: z.string().nullable(),
  /** The origin the anomaly is about (the new, announcing one for origin_change / more_specific). */
  originAsn: z.number().int().nullable(),
  /** Expected origins from the baseline, most common first. */
  baselineOrigins: z.array(z.number().int()),
  entityKey: z.string(),
  summary: z.string(),
  watched: z.boolean(),
  startedAt: isoTimestamp,
  endedAt: isoTimestamp.nullable(),
  lastSeenAt: isoTimestamp,
  peakPeers: z.number().int(),
  evidence: anomalyEvidenceDtoSchema,
  source: z.string(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type AnomalyDto = z.infer<typeof anomalyDtoSchema>;

export function toAnomalyDto(a: StoredAnomaly): AnomalyDto {
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    status: a.status,
    confidence: a.confidence,
    prefix: a.prefix,
    originAsn: a.originAsn,
    baselineOrigins: a.baselineOrigins,
    entityKey: a.entityKey,
    summary: a.summary,
    watched: a.watched,
    startedAt: microsToIso(a.startedAtUs),
    endedAt: a.endedAtUs === null ? null : microsToIso(a.endedAtUs),
    lastSeenAt: microsToIso(a.lastSeenUs),
    peakPeers: a.peakPeers,
    evidence: {
      peers: a.evidence.peers,
      collectors: a.evidence.collectors,
      samples: a.evidence.samples.map((s) => ({ collector: s.collector, peerIp: s.peerIp, peerAsn: s.peerAsn, at: microsToIso(s.atUs), asPath: s.asPath })),
      details: a.evidence.details,
      heuristic: a.evidence.heuristic === true,
    },
    source: a.source,
    createdAt: microsToIso(a.createdAtMs * 1000),
    updatedAt: microsToIso(a.updatedAtMs * 1000),
  };
}
