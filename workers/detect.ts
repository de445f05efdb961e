// Detection partitions in a worker process. Each partition queue (detect-p<i>) is consumed by
// exactly one process: the holder of its Redis lease, which runs a concurrency-1 BullMQ Worker for
// it and nothing else does. Processes balance the partitions among themselves (each takes about
// P / live processes); a process that dies stops renewing, its leases expire and the others take
// the partitions over, restoring each from its checkpoint (PostgreSQL) and re-applying the
// completed jobs after it, so nothing is re-learned and nothing between checkpoints is lost.
//
// Per job: decode → PartitionDetector.process (pure) → cross-partition origin withdrawal sums
// (Redis) → upsert + push (workers/detect-push.ts) → checkpoint when due.

import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BaselineCache } from '@/lib/baseline/cache';
import { pgBaselineSource } from '@/lib/db/baselines';
import { FallbackBaselines } from '@/lib/detect/baseline-fallback';
import { loadDetectCheckpoint, saveDetectCheckpoint } from '@/lib/db/detect-checkpoints';
import type { DetectionConfig } from '@/lib/detect/config';
import { watchDetectionConfig, type ConfigWatcher } from '@/lib/detect/config-file';
import { decodeDetectEvent, detectBatchPayload } from '@/lib/detect/pipeline/event-codec';
import { PartitionDetector, originWithdrawalAnomaly } from '@/lib/detect/pipeline/partition-detector';
import type { Anomaly } from '@/lib/detect/types';
import type { Logger } from '@/lib/log';
import { createRedisConnection } from '@/lib/queue/connection';
import {
  addOriginWithdrawals,
  claimLease,
  DETECT_KEEP_COMPLETED,
  detectQueueName,
  heartbeatMember,
  leaseKey,
  releaseLease,
  removeMember,
  renewLease,
} from '@/lib/queue/detect';
import { persistAndPush } from '@/workers/detect-push';

/** Read while the configured baseline window covers no hour yet. */
const FALLBACK_WINDOW = '24h' as const;

export interface DetectionServiceOptions {
  partitions: number;
  logger: Logger;
  /** This process's identity in leases (unique per process). */
  owner: string;
  /** Lease time to live; renewed every third of it. */
  leaseMs?: number;
  checkpointEveryMs?: number;
  /** A checkpoint is also taken after this many jobs (under DETECT_KEEP_COMPLETED, so the jobs since the last one are still kept). */
  checkpointEveryJobs?: number;
  baselineRefreshMs?: number;
  configOverridePath?: string;
  /** Fixed config (tests); otherwise config/detection.json is watched and hot-reloaded. */
  config?: DetectionConfig;
}

export interface PartitionStats {
  partition: number;
  jobs: number;
  events: number;
  lastJobId: number;
  eventTimeUs: number;
  openAnomalies: number;
  restoredFromCheckpoint: boolean;
  replayedJobs: number;
}

export interface DetectionService {
  held(): number[];
  stats(): {
    owner: string;
    partitions: PartitionStats[];
    published: number;
    failedJobs: number;
    baselinePrefixes: number;
    /** Recent jobs (up to 10,000): commit → job start, job start → done, store + push (jobs with changes), in wall ms. */
    timings: { jobs: number; queueWaitMs: { p50: number; p99: number }; jobMs: { p50: number; p99: number }; persistMs: { p50: number; p99: number } };
  };
  /** Runs one lease / balance round now (tests; it also runs on a timer). */
  tick(): Promise<void>;
  /** Re-reads the baselines now (they are also refreshed on a timer). */
  refreshBaselines(): Promise<void>;
  /** Checkpoints and releases every held partition. */
  stop(): Promise<void>;
}

interface Held {
  partition: number;
  pd: PartitionDetector;
  worker: Worker | null;
  conn: Redis | null;
  lastJobId: number;
  /** Jobs up to this id are inside the restored checkpoint: a re-delivery of one is skipped. */
  restoredJobId: number;
  jobs: number;
  events: number;
  sinceCheckpoint: number;
  lastCheckpointMs: number;
  busy: boolean;
  /** Ids of the jobs applied to the detector lately (a retry must not apply its events twice). */
  applied: Set<number>;
  /** Changed anomalies not yet stored and pushed (by dedup key, newest state). */
  pending: Map<string, Anomaly>;
  restored: boolean;
  replayed: number;
}

export async function startDetectionService(opts: DetectionServiceOptions): Promise<DetectionService> {
  const P = opts.partitions;
  const leaseMs = opts.leaseMs ?? 15_000;
  const checkpointEveryMs = opts.checkpointEveryMs ?? 60_000;
  const checkpointEveryJobs = Math.min(opts.checkpointEveryJobs ?? 400, DETECT_KEEP_COMPLETED - 50);
  const log = opts.logger.child({ module: 'detect', owner: opts.owner });
  const redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  const held = new Map<number, Held>();
  let published = 0;
  let failedJobs = 0;
  const waits: number[] = [];
  const durations: number[] = [];
  const persists: number[] = [];
  const sample = (arr: number[], v: number) => {
    if (arr.length >= 10_000) arr.shift();
    arr.push(v);
  };
  const pctl = (arr: number[], p: number) => {
    const s2 = [...arr].sort((x, y) => x - y);
    return s2.length === 0 ? 0 : s2[Math.min(s2.length - 1, Math.max(0, Math.ceil(p * s2.length) - 1))]!;
  };
  let stopped = false;

  let watcher: ConfigWatcher | null = null;
  let config: DetectionConfig;
  if (opts.config) config = opts.config;
  else {
    watcher = watchDetectionConfig({
      overridePath: opts.configOverridePath ?? null,
      onChange: (next) => {
        // The cache holds one window: until a restart the rules keep reading it (another window would be empty).
        if (next.baselineWindow !== cachedWindow) log.warn({ cached: cachedWindow, configured: next.baselineWindow }, 'detection: the baseline window changes at the next restart of the worker');
        const c = { ...next, baselineWindow: cachedWindow };
        config = c;
        for (const h of held.values()) h.pd.setConfig(c);
        log.info('detection config reloaded');
      },
      onError: (err) => log.error({ err }, 'detection config edit rejected; keeping the previous one'),
    });
    config = watcher.current();
  }

  // The baselines the rules compare against, shared by the partitions of this process. A prefix
  // without one yet is only learned into the route state until the baseline layer has aggregated it.
  // Only the window the rules read, plus the 24-hour one it falls back to while it is still empty
  // (7 d / 30 d are sums of ended days: a fresh installation has none for up to a day).
  const cachedWindow = config.baselineWindow;
  const baselineCache = new BaselineCache({ windows: cachedWindow === FALLBACK_WINDOW ? [cachedWindow] : [cachedWindow, FALLBACK_WINDOW] });
  const baselines = new FallbackBaselines(baselineCache, FALLBACK_WINDOW);
  const refreshBaselines = async () => {
    try {
      await baselineCache.refresh(pgBaselineSource());
    } catch (err) {
      log.warn({ err }, 'detection: baseline refresh failed; using the previous baselines');
    }
  };
  await refreshBaselines();
  const baselineTimer = setInterval(() => void refreshBaselines(), opts.baselineRefreshMs ?? 60_000);

  const checkpoint = async (h: Held, why: string) => {
    const cp = h.pd.checkpoint();
    await saveDetectCheckpoint(P, h.partition, { ...cp, lastJobId: h.lastJobId, jobs: h.jobs });
    h.sinceCheckpoint = 0;
    h.lastCheckpointMs = Date.now();
    log.debug({ partition: h.partition, lastJobId: h.lastJobId, bytes: cp.routeState.length, open: cp.open.length, why }, 'detection checkpoint');
  };

  /**
   * Stores and pushes the partition's changed anomalies. They stay pending until that succeeds:
   * the tracker hands each change out once, so a failed write must not lose it.
   */
  const flushPending = async (h: Held) => {
    if (h.pending.size === 0) return;
    const batch = [...h.pending.values()];
    const t0 = Date.now();
    // Not `published += await …`: that reads the counter before the await, and partitions interleave.
    const pushed = await persistAndPush(batch, redis);
    sample(persists, Date.now() - t0);
    published += pushed;
    for (const a of batch) if (h.pending.get(a.dedupKey) === a) h.pending.delete(a.dedupKey);
  };

  /** One job's events through the partition's detector, then persistence and push. */
  const handle = async (h: Held, jobId: number, data: unknown): Promise<{ events: number; changed: number }> => {
    const parsed = detectBatchPayload.safeParse(data);
    if (!parsed.success) throw new UnrecoverableError(`bad detect-batch payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    // A retry of a job whose events are already applied (its store/push failed) only flushes what is pending.
    if (h.applied.has(jobId)) {
      await flushPending(h);
      return { events: 0, changed: 0 };
    }
    const events = parsed.data.events.map(decodeDetectEvent);
    const r = h.pd.process(events);
    h.applied.add(jobId);
    if (h.applied.size > 2 * DETECT_KEEP_COMPLETED) h.applied.delete(h.applied.values().next().value!);
    if (jobId > h.lastJobId) h.lastJobId = jobId;
    let changed: Anomaly[] = r.changed;
    if (r.withdrawals.length > 0) {
      // Sums live two windows of event time past their bucket (plus slack for late partitions).
      const totals = await addOriginWithdrawals(redis, P, h.partition, r.withdrawals, 30 * 60_000);
      const mine = totals.filter((t) => t.owner === h.partition);
      changed = [...changed, ...h.pd.originTotals(mine)];
      for (const t of totals) {
        if (t.owner === h.partition) continue;
        const a = originWithdrawalAnomaly(t, config, false);
        if (a) changed.push(a);
      }
    }
    for (const a of changed) h.pending.set(a.dedupKey, a);
    await flushPending(h);
    h.jobs++;
    h.events += events.length;
    h.sinceCheckpoint++;
    return { events: events.length, changed: changed.length };
  };

  const processor = (h: Held) => async (job: Job) => {
    const jobId = Number(job.id);
    if (Number.isFinite(jobId) && jobId <= h.restoredJobId) return { skipped: 'in checkpoint' };
    h.busy = true;
    const t0 = Date.now();
    const committedAtMs = (job.data as { committedAtMs?: unknown }).committedAtMs;
    if (typeof committedAtMs === 'number') sample(waits, t0 - committedAtMs);
    try {
      const r = await handle(h, Number.isFinite(jobId) ? jobId : h.lastJobId, job.data);
      sample(durations, Date.now() - t0);
      if (h.sinceCheckpoint >= checkpointEveryJobs || Date.now() - h.lastCheckpointMs >= checkpointEveryMs) await checkpoint(h, 'due');
      return r;
    } finally {
      h.busy = false;
    }
  };

  const takeOver = async (partition: number) => {
    const cp = await loadDetectCheckpoint(P, partition);
    const queue = new Queue(detectQueueName(partition), { connection: redis });
    let lastJobId = cp?.checkpoint.lastJobId ?? 0;
    // A Redis that lost its data starts job ids over: ids from before would hide every new job.
    const counter = Number((await redis.get(`bull:${detectQueueName(partition)}:id`)) ?? 0);
    if (counter < lastJobId) {
      log.warn({ partition, checkpointJobId: lastJobId, queueCounter: counter }, 'detection: queue ids restarted (Redis reset?); keeping the state, re-reading all jobs');
      lastJobId = 0;
    }
    const h: Held = {
      partition,
      pd: new PartitionDetector(baselines, config, cp ? { checkpoint: cp.checkpoint } : {}),
      worker: null,
      conn: null,
      lastJobId,
      restoredJobId: lastJobId,
      jobs: cp?.checkpoint.jobs ?? 0,
      events: 0,
      sinceCheckpoint: 0,
      lastCheckpointMs: Date.now(),
      busy: false,
      pending: new Map(),
      applied: new Set(),
      restored: cp !== null,
      replayed: 0,
    };
    held.set(partition, h);
    // Jobs completed after the checkpoint (by the previous holder) are re-applied in order.
    const done = (await queue.getJobs(['completed'], 0, DETECT_KEEP_COMPLETED))
      .filter((j) => Number(j.id) > lastJobId)
      .sort((a, b) => Number(a.id) - Number(b.id));
    if (done.length > 0 && Number(done[0]!.id) > lastJobId + 1 && lastJobId > 0) {
      log.warn({ partition, checkpointJobId: lastJobId, oldestKept: done[0]!.id }, 'detection: jobs between the checkpoint and the oldest kept one are gone; their routes are re-learned');
    }
    await queue.close();
    for (const j of done) {
      try {
        await handle(h, Number(j.id), j.data);
        h.replayed++;
      } catch (err) {
        log.warn({ err, partition, jobId: j.id }, 'detection: could not re-apply a completed job');
      }
    }
    h.restoredJobId = h.lastJobId;
    if (h.replayed > 0) await checkpoint(h, 'after replay');
    const conn = createRedisConnection({ maxRetriesPerRequest: null });
    const worker = new Worker(detectQueueName(partition), processor(h), {
      connection: conn,
      concurrency: 1,
      // A dead holder's active job goes back to the queue soon after its lease expires.
      lockDuration: Math.max(5_000, Math.round(leaseMs * 0.66)),
      stalledInterval: Math.max(2_000, Math.round(leaseMs / 3)),
      maxStalledCount: 100,
    });
    worker.on('error', (err) => log.error({ err, partition }, 'detection worker error'));
    worker.on('failed', (job, err) => {
      failedJobs++;
      log.error({ err, partition, jobId: job?.id }, 'detection job failed');
    });
    h.worker = worker;
    h.conn = conn;
    log.info({ partition, restored: h.restored, fromJob: lastJobId, replayed: h.replayed, open: h.pd.detector.tracker.openCount }, 'detection partition taken');
  };

  /** Stops consuming, checkpoints (unless the lease was lost: someone else may own it now), releases. */
  const letGo = async (partition: number, opts2: { lost: boolean }) => {
    const h = held.get(partition);
    if (!h) return;
    held.delete(partition);
    await h.worker?.close().catch((err) => log.warn({ err, partition }, 'closing detection worker'));
    await h.conn?.quit().catch(() => h.conn?.disconnect());
    if (!opts2.lost) {
      await checkpoint(h, 'release').catch((err) => log.error({ err, partition }, 'detection: final checkpoint failed'));
      await releaseLease(redis, leaseKey(P, partition), opts.owner).catch(() => undefined);
    }
    log.info({ partition, lost: opts2.lost }, 'detection partition released');
  };

  let ticking: Promise<void> | null = null;
  const tickOnce = async () => {
    if (stopped) return;
    const members = await heartbeatMember(redis, opts.owner, leaseMs);
    for (const p of [...held.keys()]) {
      if (!(await renewLease(redis, leaseKey(P, p), opts.owner, leaseMs))) {
        log.warn({ partition: p }, 'detection lease lost; another process owns the partition now');
        await letGo(p, { lost: true });
      }
    }
    for (const h of held.values()) {
      if (!h.busy && h.sinceCheckpoint > 0 && Date.now() - h.lastCheckpointMs >= checkpointEveryMs) await checkpoint(h, 'timer').catch((err) => log.warn({ err }, 'checkpoint failed'));
    }
    const target = Math.ceil(P / members);
    if (held.size > target) {
      // One at a time, so partitions move gradually while the others keep running.
      const p = Math.max(...held.keys());
      await letGo(p, { lost: false });
      return;
    }
    for (let p = 0; p < P && held.size < target && !stopped; p++) {
      if (held.has(p)) continue;
      if (!(await claimLease(redis, leaseKey(P, p), opts.owner, leaseMs))) continue;
      try {
        await takeOver(p);
      } catch (err) {
        log.error({ err, partition: p }, 'detection: taking the partition over failed; releasing it');
        held.delete(p);
        await releaseLease(redis, leaseKey(P, p), opts.owner).catch(() => undefined);
      }
    }
  };
  const tick = async () => {
    ticking ??= tickOnce()
      .catch((err) => log.warn({ err }, 'detection lease round failed'))
      .finally(() => {
        ticking = null;
      });
    return ticking;
  };
  await tick();
  const timer = setInterval(() => void tick(), Math.max(200, Math.floor(leaseMs / 3)));

  return {
    held: () => [...held.keys()].sort((a, b) => a - b),
    stats: () => ({
      owner: opts.owner,
      published,
      failedJobs,
      baselinePrefixes: baselineCache.size,
      timings: { jobs: durations.length, queueWaitMs: { p50: pctl(waits, 0.5), p99: pctl(waits, 0.99) }, jobMs: { p50: pctl(durations, 0.5), p99: pctl(durations, 0.99) }, persistMs: { p50: pctl(persists, 0.5), p99: pctl(persists, 0.99) } },
      partitions: [...held.values()].map((h) => ({
        partition: h.partition,
        jobs: h.jobs,
        events: h.events,
        lastJobId: h.lastJobId,
        eventTimeUs: h.pd.eventTimeUs,
        openAnomalies: h.pd.detector.tracker.openCount,
        restoredFromCheckpoint: h.restored,
        replayedJobs: h.replayed,
      })),
    }),
    tick,
    refreshBaselines,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearInterval(baselineTimer);
      watcher?.close();
      await ticking;
      for (const p of [...held.keys()]) await letGo(p, { lost: false });
      await removeMember(redis, opts.owner).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
