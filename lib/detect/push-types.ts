// Contract of the live anomaly channel: every new / updated / resolved anomaly is appended to the
// Redis stream ANOMALY_STREAM_KEY as one entry with a single field `data` = JSON of
// AnomalyPushMessage. Consumers: the SSE endpoint (/api/v1/bgp/anomalies/stream) reads it with
// XREAD, the webhook dispatcher with a consumer group. Keep key and shape stable.

import { z } from 'zod';
import { anomalyDtoSchema } from '@/lib/api/anomaly-dto';

export const ANOMALY_STREAM_KEY = 'bgp:anomalies';
/** Approximate length cap (XADD MAXLEN ~): a client further behind than this resumes with a gap. */
export const ANOMALY_STREAM_MAXLEN = 10_000;
export const ANOMALY_STREAM_FIELD = 'data';

export const ANOMALY_PUSH_KINDS = ['new', 'updated', 'resolved'] as const;
export type AnomalyPushKind = (typeof ANOMALY_PUSH_KINDS)[number];

export const anomalyPushMessageSchema = z.object({
  kind: z.enum(ANOMALY_PUSH_KINDS),
  anomaly: anomalyDtoSchema,
  /** Wall time of publication (ms since the epoch): for latency measurement, not for detection. */
  publishedAtMs: z.number().int().nonnegative(),
});

export type AnomalyPushMessage = z.infer<typeof anomalyPushMessageSchema>;

/** Parses one stream entry's `data` field; a reason instead of a throw for foreign entries. */
export function parseAnomalyPush(text: string): { ok: true; value: AnomalyPushMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const r = anomalyPushMessageSchema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: r.error.issues[0]?.message ?? 'does not match the contract' };
}
