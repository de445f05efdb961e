import { describe, expect, it } from 'vitest';
import { healthResponseSchema } from '@/lib/api/contracts';
import { buildHealthReport, type HealthInputs } from '@/lib/api/health';
import type { FeedState } from '@/lib/feed/types';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);

const feed: FeedState = {
  url: 'ws://127.0.0.1:4000/v1/ws/?client=bgp-observatory',
  label: 'simulated',
  connection: 'connected',
  messagesPerSecond: 12.5,
  eventsPerSecond: 30,
  totalMessages: 1000,
  totalEvents: 2400,
  malformedFrames: 2,
  lastMessageAtMs: NOW - 1000,
  lastEventTimeUs: (NOW - 1000) * 1000 + 123,
  lastGap: { startedAtMs: NOW - 60_000, endedAtMs: NOW - 55_000, reason: 'socket closed' },
  reconnects: 1,
  updatedAtMs: NOW - 500,
};

const healthy: HealthInputs = {
  database: { ok: true, latencyMs: 1.2 },
  redis: { ok: true, latencyMs: 0.4 },
  heartbeats: [{ workerId: 'w1', pid: 42, queues: ['ingest'], startedAtMs: NOW - 100_000, beatAtMs: NOW - 2_000 }],
  feed,
  // No RPKI source configured: nothing to be stale.
  rpki: { state: null, sources: [] },
};

describe('buildHealthReport', () => {
  it('is ok when every component is, with the feed fields in wire form', () => {
    const r = buildHealthReport(healthy, NOW);
    expect(healthResponseSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('ok');
    expect(r.components.feed).toMatchObject({
      status: 'ok',
      label: 'simulated',
      connection: 'connected',
      messages_per_second: 12.5,
      last_message_at: '2026-11-22T09:59:59.000Z',
      last_event_time: '2026-11-22T09:59:59.000123Z',
      last_gap: { started_at: '2026-11-22T09:59:00.000Z', ended_at: '2026-11-22T09:59:05.000Z', reason: 'socket closed' },
    });
    expect(r.components.worker.heartbeats[0]).toMatchObject({ worker_id: 'w1', age_ms: 2000 });
  });

  it.each<[string, Partial<HealthInputs>, keyof ReturnType<typeof buildHealthReport>['components'], RegExp]>([
    ['database down', { database: { ok: false, latencyMs: 2000, error: 'no answer within 2000 ms' } }, 'database', /no answer/],
    ['redis down', { redis: { ok: false, latencyMs: null, error: 'Connection is closed.' } }, 'redis', /closed/],
    ['no worker', { heartbeats: [] }, 'worker', /no worker heartbeat/],
    ['stale worker', { heartbeats: [{ workerId: 'w1', pid: 1, queues: [], startedAtMs: 0, beatAtMs: NOW - 31_000 }] }, 'worker', /stale/],
    ['heartbeats unreadable', { heartbeats: new Error('Redis did not answer within 1500 ms') }, 'worker', /did not answer/],
    ['no collector yet', { feed: null }, 'feed', /has not reported/],
    ['feed disconnected', { feed: { ...feed, connection: 'disconnected' } }, 'feed', /feed is disconnected/],
    ['feed state stale', { feed: { ...feed, updatedAtMs: NOW - 120_000 } }, 'feed', /not updated for 120 s/],
  ])('is degraded when %s', (_, change, component, error) => {
    const r = buildHealthReport({ ...healthy, ...change }, NOW);
    expect(healthResponseSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('degraded');
    expect(r.components[component].status).toBe('error');
    expect(r.components[component].error).toMatch(error);
    for (const [name, c] of Object.entries(r.components)) if (name !== component) expect(c.status, name).toBe('ok');
  });
});

describe('buildHealthReport: RPKI', () => {
  it('is degraded when the RPKI state cannot be read, and says why', () => {
    const r = buildHealthReport({ ...healthy, rpki: new Error('relation "rpki_state" does not exist') }, NOW);
    expect(healthResponseSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('degraded');
    expect(r.components.rpki).toMatchObject({ status: 'error', error: 'relation "rpki_state" does not exist' });
  });

  it('is ok with no RPKI source configured', () => {
    expect(buildHealthReport(healthy, NOW).components.rpki).toMatchObject({ status: 'ok', stale_sources: [], vrps: null });
  });
});
