// The demo incident through the whole system: the project's demo stream served by the replay
// server (a real WebSocket server on 127.0.0.1 speaking RIS Live) at 100×, read by the real
// collector, committed to PostgreSQL, fed to the detection partition queues (BullMQ), analysed
// by the detection service against baselines aggregated from the quiet part by the baseline
// layer, stored in bgp_anomalies and pushed through the SSE endpoint. The AS17557 sub-prefix
// hijack of 208.65.153.0/24 must appear with its type, prefix, origins and severity band, and end
// after the recovery; the quiet part must raise nothing critical or high.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { aggregateHour, resetBaselines } from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { listAnomalies } from '@/lib/db/anomalies';
import { generateDemoStream, incidentSchedule, INCIDENT_PREFIXES } from '@/lib/demo/generator';
import { PAKISTAN_TELECOM_ASN, YOUTUBE_ASN } from '@/lib/demo/topology';
import { parseDetectionConfig } from '@/lib/detect/config';
import { anomalyPushMessageSchema, type AnomalyPushMessage } from '@/lib/detect/push-types';
import { startCollector, type Collector } from '@/lib/ingest/collector';
import { getLogger } from '@/lib/log';
import { createRedisConnection } from '@/lib/queue/connection';
import { closeDetectQueues } from '@/lib/queue/detect';
import { startReplayServer, type ReplayServer } from '@/lib/replay/server';
import { parseServerFrame } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage } from '@/lib/sources/ris-live/normalize';
import { GET } from '@/app/api/v1/bgp/anomalies/stream/route';
import { startDetectionService, type DetectionService } from '@/workers/detect';
import { registerDetectFeed } from '@/workers/detect-feed';
import { closeAnomalyPushRedis } from '@/workers/detect-push';
import { waitFor } from '@/test/helpers/wait';
import { deleteKeys } from '@/test/helpers/redis';

const logger = getLogger().child({ test: 'detect-scenario' });
const P = 2;
// An hour of May 2021 that no other test file writes.
const START_MS = Date.UTC(2021, 4, 5, 6);
const opts = { seed: 20080224, startTimeMs: START_MS, baselineMinutes: 10, incidentMinutes: 5, prefixCount: 2000, peerCount: 60, messagesPerSecond: 40 };
const schedule = incidentSchedule(opts);
const serious = (s: string) => s === 'critical' || s === 'high';

const lines = [...generateDemoStream(opts)];
const timeOf = (line: string) => Number((JSON.parse(line) as { data: { timestamp: number } }).data.timestamp) * 1000;
const quiet = lines.filter((l) => timeOf(l) < schedule.incidentStartMs);
const incident = lines.filter((l) => timeOf(l) >= schedule.incidentStartMs);
const quietEvents = quiet.reduce((n, line) => {
  const f = parseServerFrame(line, 1 << 20);
  return n + (f.kind === 'ris_message' ? normalizeRisMessage(f.data, { storeRaw: false }).length : 0);
}, 0);

let redis: Redis;
let replay: ReplayServer;
let collector: Collector | null = null;
let service: DetectionService;
let feed: ReturnType<typeof registerDetectFeed>;
let releaseIncident: () => void = () => {};
const incidentGate = new Promise<void>((r) => (releaseIncident = r));
const sse = new AbortController();
const pushes: AnomalyPushMessage[] = [];

function clearDetectKeys(): Promise<void> {
  return deleteKeys(redis, 'bull:detect-p*', 'detect:*');
}

/** Reads the SSE endpoint in the background, collecting every anomaly message. */
async function listenSse(): Promise<void> {
  const res = await GET(new Request('http://localhost/api/v1/bgp/anomalies/stream', { signal: sse.signal }));
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) return;
      buf += dec.decode(r.value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) !== -1) {
        const block = buf.slice(0, cut).split('\n');
        buf = buf.slice(cut + 2);
        const data = block.find((l) => l.startsWith('data: '));
        if (block.includes('event: anomaly') && data) pushes.push(anomalyPushMessageSchema.parse(JSON.parse(data.slice(6))));
      }
    }
  })();
}

beforeAll(async () => {
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  await clearDetectKeys();
  await getPgPool().query('DELETE FROM detect_checkpoints');
  await getPgPool().query(`DELETE FROM bgp_anomalies WHERE source = 'detector'`);
  await getPgPool().query(`DELETE FROM bgp_events WHERE timestamp >= to_timestamp($1) AND timestamp < to_timestamp($2)`, [START_MS / 1000, START_MS / 1000 + 7200]);
  await resetBaselines();

  feed = registerDetectFeed(P, logger);
  service = await startDetectionService({
    partitions: P,
    owner: 'scenario-test',
    logger,
    leaseMs: 3_000,
    checkpointEveryMs: 1_000,
    baselineRefreshMs: 600_000,
    // Baselines from one aggregated hour are in the 24 h window at once (7 d / 30 d fold whole days).
    config: parseDetectionConfig({ baselineWindow: '24h' }),
  });
  await listenSse();

  async function* source(): AsyncGenerator<string> {
    yield* quiet;
    // The baseline layer aggregates the quiet hour before the incident is played.
    await incidentGate;
    yield* incident;
  }
  replay = await startReplayServer({ source: { lines: source() }, speed: 100, logger });
});

afterAll(async () => {
  releaseIncident();
  sse.abort();
  await collector?.stop({ deadlineMs: 5_000 });
  await replay?.close();
  await service?.stop();
  feed?.unregister();
  await closeDetectQueues();
  await closeAnomalyPushRedis();
  await getPgPool().query(`DELETE FROM bgp_events WHERE timestamp >= to_timestamp($1) AND timestamp < to_timestamp($2)`, [START_MS / 1000, START_MS / 1000 + 7200]);
  await resetBaselines();
  await redis.quit();
  await closeDb();
});

describe('demo incident through replay → collector → queues → detection → PostgreSQL + SSE', () => {
  it('the quiet part raises nothing serious; the AS17557 sub-prefix hijack appears and ends', async () => {
    collector = await startCollector({
      url: replay.url,
      clientName: 'detect-scenario-test',
      subscriptions: [{ type: 'UPDATE' }],
      label: 'simulated',
      storeRaw: false,
      batchSize: 2000,
      flushMs: 50,
      redis: null,
      logger,
    });
    const c = collector;
    await waitFor('the quiet part stored', () => c.stats().inserted + c.stats().duplicates >= quietEvents, 90_000);
    // What the baseline worker does when the hour closes (workers/baseline.ts), then the
    // detection service's periodic baseline refresh.
    const agg = await aggregateHour(Math.floor(START_MS / 3_600_000));
    expect(agg.status).toBe('aggregated');
    await service.refreshBaselines();
    expect(service.stats().baselinePrefixes).toBeGreaterThan(1000);
    const quietPushes = pushes.length;
    releaseIncident();

    const isHijack = (m: AnomalyPushMessage) => m.anomaly.type === 'more_specific' && m.anomaly.prefix === INCIDENT_PREFIXES.hijacked && m.anomaly.originAsn === PAKISTAN_TELECOM_ASN;
    const opened = await waitFor('hijack pushed', () => pushes.find((m) => isHijack(m) && m.kind === 'new'), 90_000);
    expect(opened.anomaly.baselineOrigins).toEqual([YOUTUBE_ASN]);
    expect(serious(opened.anomaly.severity)).toBe(true);
    const ended = await waitFor('hijack resolved', () => pushes.find((m) => isHijack(m) && m.kind === 'resolved'), 90_000);
    expect(Date.parse(ended.anomaly.endedAt!)).toBeGreaterThanOrEqual(schedule.hijackWithdrawnMs);
    expect(Date.parse(ended.anomaly.startedAt)).toBeGreaterThanOrEqual(schedule.hijackMs);

    // Stored once, resolved, in the critical/high band.
    const stored = (await listAnomalies({ prefix: INCIDENT_PREFIXES.hijacked, anomalyType: ['more_specific'], originAsn: PAKISTAN_TELECOM_ASN, limit: 10 })).data;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'resolved', originAsn: PAKISTAN_TELECOM_ASN, baselineOrigins: [YOUTUBE_ASN] });
    expect(serious(stored[0]!.severity)).toBe(true);
    expect(stored[0]!.evidence.peers.length).toBeGreaterThanOrEqual(10);

    // The quiet part: nothing critical or high, neither pushed nor stored.
    expect(pushes.slice(0, quietPushes).filter((m) => serious(m.anomaly.severity))).toEqual([]);
    const all = (await listAnomalies({ limit: 1000 })).data.filter((a) => a.source === 'detector');
    expect(all.filter((a) => serious(a.severity) && a.startedAtUs < schedule.incidentStartMs * 1000).map((a) => a.summary)).toEqual([]);
    // YouTube's own counter-announcements are not hijacks.
    expect(all.filter((a) => serious(a.severity) && a.originAsn === YOUTUBE_ASN).map((a) => a.summary)).toEqual([]);
  });
});
