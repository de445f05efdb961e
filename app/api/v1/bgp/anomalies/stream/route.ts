import { withTimeout, errorToResponse } from '@/lib/api/http';
import { SSE_HEADERS } from '@/lib/api/sse';
import { getLogger } from '@/lib/log';
import { createRedisConnection } from '@/lib/queue/connection';
import { createAnomalyEventStream, resumeIdFrom } from '@/app/api/v1/bgp/anomalies/stream/anomaly-sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const CONNECT_TIMEOUT_MS = 2_000;
const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events: every new / updated / resolved anomaly as `event: anomaly` (data: the
 * AnomalyPushMessage JSON, id: its stream entry id). Resume with Last-Event-ID (or ?last_event_id=).
 */
export async function GET(request: Request): Promise<Response> {
  const redis = createRedisConnection({ lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  try {
    await withTimeout(redis.connect(), CONNECT_TIMEOUT_MS, 'Redis connect');
    const log = getLogger().child({ module: 'api-anomaly-stream' });
    let invalid = 0;
    const stream = await createAnomalyEventStream({
      redis,
      lastEventId: resumeIdFrom(request),
      signal: request.signal,
      heartbeatMs: HEARTBEAT_MS,
      onInvalid: (reason) => {
        if (++invalid === 1 || invalid % 100 === 0) log.warn({ invalid, reason }, 'skipped anomaly stream entry that does not match the contract');
      },
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (err) {
    redis.disconnect();
    return errorToResponse(err, 'GET /api/v1/bgp/anomalies/stream');
  }
}
