// The live collector: RIS Live WebSocket → normalize → batcher → PostgreSQL, with window counts,
// gaps, and the feed state / live updates in Redis.
//
// Ordering: with INGEST_WRITERS > 1 batches may commit out of arrival order (each write is
// idempotent and counts its own windows in the same statement, so order does not matter for
// the data); gaps are written on one serialized side chain; feed updates are published on one
// Redis connection, so subscribers see them in commit order.

import type { Redis } from 'ioredis';
import type { BgpEvent, IngestGap } from '@/lib/bgp/types';
import { toApiEvent } from '@/lib/api/serialize';
import { formatEventId } from '@/lib/bgp/event-id';
import type { ApiBgpEvent } from '@/lib/api/types';
import { getEnv } from '@/lib/env';
import type { FeedConnection, FeedLabel, FeedState } from '@/lib/feed/types';
import { publishFeedUpdate, writeFeedState } from '@/lib/feed/state';
import { EventBatcher, type BatcherStats, type BatcherTimers } from '@/lib/ingest/event-batcher';
import { LagHistogram, type LagSnapshot } from '@/lib/ingest/lag-histogram';
import { RateMeter } from '@/lib/ingest/rate-meter';
import { parseSubscriptionConfig } from '@/lib/ingest/subscriptions';
import { throttledWarn } from '@/lib/ingest/throttled-log';
import type { WindowCountDelta } from '@/lib/db/ingest-window-bounds';
import { getLogger, type Logger } from '@/lib/log';
import { observeRpki } from '@/lib/rpki/observer';
import { feedDetection } from '@/lib/detect/pipeline/feed';
import { RisLiveClient } from '@/lib/sources/ris-live/client';
import type { RisMessageData, RisSubscription } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessageDetailed, risTimestampToMicros } from '@/lib/sources/ris-live/normalize';

const LATEST_IN_UPDATE = 20;

export interface InsertBatchResult {
  inserted: number;
  duplicates: number;
  /** Rows the database refused (invalid values); counted, the rest of the batch is kept. */
  rejected?: number;
  /** Per-window counts of the rows actually inserted. */
  windows?: WindowCountDelta[];
}

export interface CollectorOptions {
  url?: string;
  clientName?: string;
  subscriptions?: RisSubscription[];
  label?: FeedLabel;
  storeRaw?: boolean;
  batchSize?: number;
  flushMs?: number;
  /** Concurrent batch writes. */
  writers?: number;
  maxBuffered?: number;
  maxFrameBytes?: number;
  logger?: Logger;
  /** Feed state / updates go here; null disables them (benchmarks of the database path alone). */
  redis?: Redis | null;
  /**
   * Defaults to lib/db/events.ts#insertEventBatch with recordWindows, which updates
   * ingest_windows in the same statement (so a crash never counts a batch twice or not at all).
   */
  insertBatch?: (events: BgpEvent[]) => Promise<InsertBatchResult>;
  /** Defaults to lib/db/ingest-windows.ts#recordGap. */
  recordGap?: (gap: IngestGap) => Promise<unknown>;
  /** How often the feed state is written to Redis. */
  stateIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number; factor?: number; jitter?: number };
  pingIntervalMs?: number;
  timers?: BatcherTimers;
  lag?: LagHistogram;
}

export interface CollectorStats {
  messages: number;
  /** Events produced by normalization (before deduplication). */
  events: number;
  inserted: number;
  duplicates: number;
  rejectedRows: number;
  malformedFrames: number;
  skippedPrefixes: number;
  risErrors: number;
  gaps: number;
  reconnects: number;
  connection: FeedConnection;
  batcher: BatcherStats;
  lag: LagSnapshot;
  sideErrors: number;
}

export interface Collector {
  /** Stop reading, write everything buffered (bounded by deadlineMs), write the final state. */
  stop(opts?: { deadlineMs?: number }): Promise<void>;
  stats(): CollectorStats;
  feedState(): FeedState;
  /** For tests: drop the socket as if the network failed. */
  forceReconnect(reason: string): void;
}

interface ResolvedConfig {
  url: string;
  clientName: string;
  subscriptions: RisSubscription[];
  label: FeedLabel;
  storeRaw: boolean;
  batchSize: number;
  flushMs: number;
  writers: number;
  maxBuffered: number;
  maxFrameBytes: number;
}

function resolveConfig(opts: CollectorOptions): ResolvedConfig {
  const env = getEnv();
  return {
    url: opts.url ?? env.RIS_LIVE_URL,
    clientName: opts.clientName ?? env.RIS_LIVE_CLIENT,
    subscriptions: opts.subscriptions ?? parseSubscriptionConfig(env.RIS_SUBSCRIBE),
    label: opts.label ?? env.FEED_LABEL,
    storeRaw: opts.storeRaw ?? env.INGEST_STORE_RAW,
    batchSize: opts.batchSize ?? env.INGEST_BATCH_SIZE,
    flushMs: opts.flushMs ?? env.INGEST_FLUSH_MS,
    writers: opts.writers ?? env.INGEST_WRITERS,
    maxBuffered: opts.maxBuffered ?? env.INGEST_MAX_BUFFERED,
    maxFrameBytes: opts.maxFrameBytes ?? env.RIS_MAX_FRAME_BYTES,
  };
}

/** The URL as shown in the feed state and logs: no credentials, ever. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

// Imported lazily so that tests and benchmarks that inject their own writers never open a pool.
async function defaultInsert(): Promise<(events: BgpEvent[]) => Promise<InsertBatchResult>> {
  const { insertEventBatch } = await import('@/lib/db/events');
  return (events) => insertEventBatch(events, { recordWindows: true });
}

async function defaultRecordGap(): Promise<(gap: IngestGap) => Promise<unknown>> {
  const { recordGap } = await import('@/lib/db/ingest-windows');
  return (gap) => recordGap(gap);
}

async function defaultRedis(): Promise<Redis> {
  const { getRedis } = await import('@/lib/queue/connection');
  const redis = getRedis();
  // The shared connection has no offline queue (API handlers must fail fast), so the first
  // state write would fail while it is still connecting: wait for it briefly.
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 3000);
      redis.once('ready', done);
    });
  }
  return redis;
}

export async function startCollector(opts: CollectorOptions = {}): Promise<Collector> {
  const cfg = resolveConfig(opts);
  const log = (opts.logger ?? getLogger()).child({ module: 'collector' });
  const timers = opts.timers;
  const now = timers ? () => timers.now() : () => Date.now();
  const insertBatch = opts.insertBatch ?? (await defaultInsert());
  const recordGap = opts.recordGap ?? (await defaultRecordGap());
  const redis = opts.redis === undefined ? await defaultRedis() : opts.redis;

  const warnMalformed = throttledWarn(log, 10_000, now);
  const warnRedis = throttledWarn(log, 30_000, now);
  const msgRate = new RateMeter(5);
  const evRate = new RateMeter(5);
  const lag = opts.lag ?? new LagHistogram();

  const counters = { messages: 0, events: 0, inserted: 0, duplicates: 0, rejectedRows: 0, malformedFrames: 0, skippedPrefixes: 0, risErrors: 0, gaps: 0, sideErrors: 0 };
  let connection: FeedConnection = 'connecting';
  let lastMessageAtMs: number | null = null;
  let lastEventTimeUs: number | null = null;
  let lastGap: FeedState['lastGap'] = null;
  let stopped = false;

  // Gaps: serialized, retried a few times, never blocking the ingest path.
  let side: Promise<void> = Promise.resolve();
  const onSide = (what: string, fn: () => Promise<unknown>) => {
    side = side.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await fn();
          return;
        } catch (err) {
          if (attempt >= 3) {
            counters.sideErrors++;
            log.error({ err, what }, 'could not record ingest bookkeeping');
            return;
          }
          await new Promise((r) => setTimeout(r, 250 * attempt));
        }
      }
    });
  };

  const feedState = (): FeedState => {
    const t = now();
    return {
      url: displayUrl(cfg.url),
      label: cfg.label,
      connection,
      messagesPerSecond: msgRate.rate(t),
      eventsPerSecond: evRate.rate(t),
      totalMessages: counters.messages,
      totalEvents: counters.inserted,
      malformedFrames: counters.malformedFrames,
      lastMessageAtMs,
      lastEventTimeUs,
      lastGap,
      reconnects: client.stats().reconnects,
      updatedAtMs: t,
    };
  };

  const handleGap = (gap: IngestGap) => {
    counters.gaps++;
    lastGap = { startedAtMs: gap.startedAtMs, endedAtMs: gap.endedAtMs, reason: gap.reason };
    log.warn({ gap }, 'ingest gap');
    onSide('gap', () => recordGap(gap));
  };

  const publish = (batch: BgpEvent[], committedAtMs: number) => {
    if (!redis) return;
    const latest: ApiBgpEvent[] = batch.slice(-LATEST_IN_UPDATE).reverse().map((e) => ({
      // The id is the row's primary key, known without a round trip; the raw message is left
      // out to keep pub/sub payloads small (GET /api/v1/bgp/events/{id} serves it).
      ...toApiEvent({ ...e, id: formatEventId(e.timestampUs, e.dedupKey), ingestedAtMs: committedAtMs }),
      raw_message: null,
    }));
    publishFeedUpdate(redis, { feed: feedState(), latest }).catch((err) => warnRedis({ err }, 'could not publish feed update'));
  };

  const batcher = new EventBatcher<InsertBatchResult>({
    batchSize: cfg.batchSize,
    flushMs: cfg.flushMs,
    maxInFlight: cfg.writers,
    maxBuffered: cfg.maxBuffered,
    write: (batch) => insertBatch(batch),
    timers,
    lag,
    onCommitted: (batch, { result, committedAtMs }) => {
      // Route-origin validation of every stored route, in process (no-op when no RPKI service runs here).
      observeRpki(batch);
      // Anomaly detection through the partition queues (no-op when the process registered no feed).
      feedDetection(batch, committedAtMs);
      counters.inserted += result.inserted;
      counters.duplicates += result.duplicates;
      counters.rejectedRows += result.rejected ?? 0;
      evRate.add(result.inserted, committedAtMs);
      publish(batch, committedAtMs);
    },
    onPause: () => {
      log.warn({ buffered: batcher.stats().buffered }, 'ingest buffer above high-water mark: pausing the feed');
      client.pause();
    },
    onResume: () => {
      log.info({ buffered: batcher.stats().buffered }, 'ingest buffer drained: resuming the feed');
      client.resume();
    },
    onGap: (gap, dropped) => {
      log.error({ dropped }, 'ingest buffer overflow: events dropped');
      handleGap(gap);
    },
    onWriteError: (err, attempt, retryInMs) => log.error({ err, attempt, retryInMs }, 'event batch write failed; retrying'),
  });

  const onMessage = (data: RisMessageData, receivedAtMs: number) => {
    counters.messages++;
    msgRate.add(1, receivedAtMs);
    lastMessageAtMs = receivedAtMs;
    lastEventTimeUs = risTimestampToMicros(data.timestamp);
    let events: BgpEvent[];
    try {
      const r = normalizeRisMessageDetailed(data, { storeRaw: cfg.storeRaw });
      events = r.events;
      if (r.skipped.length > 0) {
        counters.skippedPrefixes += r.skipped.length;
        warnMalformed({ skipped: r.skipped.slice(0, 3), id: data.id }, 'prefixes skipped in a ris_message');
      }
    } catch (err) {
      counters.malformedFrames++;
      warnMalformed({ err, id: data.id }, 'ris_message could not be normalized');
      return;
    }
    counters.events += events.length;
    batcher.add(events, receivedAtMs);
  };

  const client = new RisLiveClient({
    url: cfg.url,
    clientName: cfg.clientName,
    subscriptions: cfg.subscriptions,
    onMessage,
    onMalformed: (reason, sample) => {
      counters.malformedFrames++;
      warnMalformed({ reason, sample: sample.slice(0, 200), malformedFrames: counters.malformedFrames }, 'malformed frame skipped');
    },
    onRisError: (message) => {
      counters.risErrors++;
      log.warn({ message }, 'ris_error from server');
    },
    onStateChange: (state, detail) => {
      connection = state;
      // Every reconnect attempt passes through 'connecting'; the client logs failures itself.
      const level = state === 'connecting' ? 'debug' : 'info';
      log[level]({ state, detail, url: displayUrl(cfg.url) }, 'feed connection');
    },
    onGap: handleGap,
    backoff: opts.backoff,
    pingIntervalMs: opts.pingIntervalMs,
    maxFrameBytes: cfg.maxFrameBytes,
    now,
    logger: log,
  });

  const writeState = async () => {
    if (!redis) return;
    try {
      await writeFeedState(redis, feedState());
    } catch (err) {
      warnRedis({ err }, 'could not write feed state');
    }
  };
  const stateTimer = setInterval(() => void writeState(), opts.stateIntervalMs ?? 1000);
  stateTimer.unref();

  log.info(
    { url: displayUrl(cfg.url), label: cfg.label, subscriptions: cfg.subscriptions, batchSize: cfg.batchSize, flushMs: cfg.flushMs, writers: cfg.writers, maxBuffered: cfg.maxBuffered, storeRaw: cfg.storeRaw },
    'collector starting',
  );
  client.start();
  void writeState();

  return {
    async stop({ deadlineMs = 8000 } = {}) {
      if (stopped) return;
      stopped = true;
      const started = now();
      clearInterval(stateTimer);
      await client.stop();
      await batcher.drain({ close: true, deadlineMs: Math.max(0, deadlineMs - (now() - started)) });
      await side;
      connection = 'stopped';
      await writeState();
      log.info({ ...counters, lag: lag.snapshot() }, 'collector stopped');
    },
    stats: () => ({
      ...counters,
      reconnects: client.stats().reconnects,
      connection,
      batcher: batcher.stats(),
      lag: lag.snapshot(),
    }),
    feedState,
    forceReconnect: (reason) => client.forceReconnect(reason),
  };
}
