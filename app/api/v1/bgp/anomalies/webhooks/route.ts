import { loadWebhookTargets } from '@/lib/alerts/config-file';
import { describeTarget } from '@/lib/alerts/config';
import type { WebhookTarget } from '@/lib/alerts/types';
import { errorToResponse, jsonResponse, withTimeout } from '@/lib/api/http';
import { getEnv } from '@/lib/env';
import { readyRedis } from '@/lib/api/health-probe';
import { getDeliveryStats } from '@/lib/queue/webhooks';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Configured webhook targets (no secrets) with their delivery counters. */
export async function GET(): Promise<Response> {
  let targets: WebhookTarget[] = [];
  let configError: string | null = null;
  try {
    targets = loadWebhookTargets(getEnv()).targets;
  } catch (err) {
    configError = (err as Error).message;
  }
  try {
    const stats = await withTimeout(getDeliveryStats(await readyRedis(2_000), targets.map((t) => t.id)), 2_000, 'Redis');
    const data = targets.map((t, i) => {
      const d = describeTarget(t);
      const s = stats[i]!;
      return {
        id: d.id, url: d.url, format: d.format, min_severity: d.minSeverity, types: d.types, watched_only: d.watchedOnly, signed: d.signed,
        delivered: s.delivered, failed: s.failed, retried: s.retried, skipped: s.skipped, last_status: s.lastStatus, last_error: s.lastError,
        last_delivered_at: iso(s.lastDeliveredAtMs), last_failed_at: iso(s.lastFailedAtMs),
      };
    });
    return jsonResponse({ data, config_error: configError });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/anomalies/webhooks');
  }
}
