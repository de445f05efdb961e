// Pure: turns what the health probe gathered into the /api/health body. `nowMs` comes in so
// staleness rules are testable.

import type { HealthResponse } from '@/lib/api/contracts';
import { microsToIso } from '@/lib/api/serialize';
import type { StoredRpkiSource } from '@/lib/db/rpki';
import type { FeedState, WorkerHeartbeat } from '@/lib/feed/types';
import { buildRpkiHealth } from '@/lib/rpki/health';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number | null;
  error?: string;
}

export interface HealthInputs {
  database: ProbeResult;
  redis: ProbeResult;
  /** An Error when Redis could not be read. */
  heartbeats: WorkerHeartbeat[] | Error;
  /** null when no collector has written its state yet; an Error when Redis could not be read. */
  feed: FeedState | null | Error;
  /** The RPKI summary the worker publishes and the VRP sources in force; an Error when unreadable. */
  rpki: { state: { value: unknown; updatedAtMs: number } | null; sources: StoredRpkiSource[] } | Error;
}

export interface HealthRules {
  /** A heartbeat older than this means the worker is gone (its key may not have expired yet). */
  heartbeatMaxAgeMs: number;
  /** Feed state not refreshed for this long means the collector stopped reporting. */
  feedMaxAgeMs: number;
}

export const DEFAULT_HEALTH_RULES: HealthRules = { heartbeatMaxAgeMs: 30_000, feedMaxAgeMs: 60_000 };

const iso = (ms: number) => new Date(ms).toISOString();

function probe(p: ProbeResult): HealthResponse['components']['database'] {
  return { status: p.ok ? 'ok' : 'error', latency_ms: p.latencyMs, ...(p.error ? { error: p.error } : {}) };
}

function workerComponent(input: HealthInputs['heartbeats'], nowMs: number, rules: HealthRules): HealthResponse['components']['worker'] {
  if (input instanceof Error) return { status: 'error', heartbeats: [], error: input.message };
  const heartbeats = input.map((h) => ({
    worker_id: h.workerId,
    pid: h.pid,
    queues: h.queues,
    started_at: iso(h.startedAtMs),
    beat_at: iso(h.beatAtMs),
    age_ms: Math.max(0, nowMs - h.beatAtMs),
  }));
  const alive = heartbeats.some((h) => h.age_ms <= rules.heartbeatMaxAgeMs);
  return alive
    ? { status: 'ok', heartbeats }
    : { status: 'error', heartbeats, error: heartbeats.length === 0 ? 'no worker heartbeat' : 'worker heartbeats are stale' };
}

function feedComponent(input: HealthInputs['feed'], nowMs: number, rules: HealthRules): HealthResponse['components']['feed'] {
  const empty = {
    label: null, connection: null, url: null, messages_per_second: null, events_per_second: null,
    total_messages: null, total_events: null, malformed_frames: null, last_message_at: null,
    last_event_time: null, last_gap: null, reconnects: null, updated_at: null,
  } as const;
  if (input instanceof Error) return { status: 'error', ...empty, error: input.message };
  if (input === null) return { status: 'error', ...empty, error: 'the collector has not reported yet' };
  let error: string | undefined;
  if (nowMs - input.updatedAtMs > rules.feedMaxAgeMs) error = `feed state not updated for ${Math.round((nowMs - input.updatedAtMs) / 1000)} s`;
  else if (input.connection !== 'connected') error = `feed is ${input.connection}`;
  return {
    status: error ? 'error' : 'ok',
    label: input.label,
    connection: input.connection,
    url: input.url,
    messages_per_second: input.messagesPerSecond,
    events_per_second: input.eventsPerSecond,
    total_messages: input.totalMessages,
    total_events: input.totalEvents,
    malformed_frames: input.malformedFrames,
    last_message_at: input.lastMessageAtMs === null ? null : iso(input.lastMessageAtMs),
    last_event_time: input.lastEventTimeUs === null ? null : microsToIso(input.lastEventTimeUs),
    last_gap: input.lastGap
      ? { started_at: iso(input.lastGap.startedAtMs), ended_at: iso(input.lastGap.endedAtMs), reason: input.lastGap.reason }
      : null,
    reconnects: input.reconnects,
    updated_at: iso(input.updatedAtMs),
    ...(error ? { error } : {}),
  };
}

export function buildHealthReport(inputs: HealthInputs, nowMs: number, rules: HealthRules = DEFAULT_HEALTH_RULES): HealthResponse {
  const components: HealthResponse['components'] = {
    database: probe(inputs.database),
    redis: probe(inputs.redis),
    worker: workerComponent(inputs.heartbeats, nowMs, rules),
    feed: feedComponent(inputs.feed, nowMs, rules),
    rpki:
      inputs.rpki instanceof Error
        ? { status: 'error', stale_sources: [], vrps: null, oldest_set_age_seconds: null, error: inputs.rpki.message }
        : buildRpkiHealth(inputs.rpki.state, inputs.rpki.sources, nowMs),
  };
  const allOk = Object.values(components).every((c) => c.status === 'ok');
  return { status: allOk ? 'ok' : 'degraded', checked_at: iso(nowMs), components };
}
