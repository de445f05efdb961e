// Buffers normalized events between the WebSocket and the database.
//
// - A batch is written when `batchSize` events are pending or the oldest pending event has waited
//   `flushMs`. With `maxInFlight` 1 batches commit in arrival order; with more, up to that many
//   writes overlap (PostgreSQL then uses more than one core: the writes are idempotent and
//   independent, so their commit order does not matter for correctness).
// - Back-pressure is explicit: above `highWater` buffered events the source is asked to pause
//   (the WebSocket stops reading), below `lowWater` to resume.
// - If the hard cap `maxBuffered` is reached anyway (frames already read when the pause took
//   effect, a database outage), the excess is dropped, counted, and reported as an overflow gap
//   once events are accepted again — never silently.
// - A failed write is retried with backoff (the batch stays at the head, order is kept).
// - Per-event receive times feed the lag histogram (received → committed).
//
// No I/O here: the write and every notification are callbacks, the clock and timers injectable.

import type { BgpEvent, EventSource, IngestGap } from '@/lib/bgp/types';
import { LagHistogram } from '@/lib/ingest/lag-histogram';

export interface BatcherTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: BatcherTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface CommitInfo<R> {
  result: R;
  committedAtMs: number;
  /** Receive time of the batch's oldest event. */
  oldestReceivedAtMs: number;
}

export interface EventBatcherOptions<R> {
  batchSize: number;
  flushMs: number;
  /** Hard cap on buffered events (pending + in flight); beyond it events are dropped and counted. */
  maxBuffered: number;
  /** Concurrent writes (default 1: strictly ordered commits). */
  maxInFlight?: number;
  /** Pause the source above this many buffered events (default: half of maxBuffered). */
  highWater?: number;
  /** Resume the source below this many (default: a quarter of maxBuffered). */
  lowWater?: number;
  /** Persist one batch. Throwing means "not written": the same batch is retried. */
  write: (batch: BgpEvent[]) => Promise<R>;
  onCommitted?: (batch: BgpEvent[], info: CommitInfo<R>) => void;
  onPause?: () => void;
  onResume?: () => void;
  /** An overflow (or shutdown) loss, reported once data is accepted again / at drain. */
  onGap?: (gap: IngestGap, dropped: number) => void;
  onWriteError?: (err: unknown, attempt: number, retryInMs: number) => void;
  retry?: { initialMs: number; maxMs: number };
  timers?: BatcherTimers;
  lag?: LagHistogram;
}

export interface BatcherStats {
  /** Pending + in flight. */
  buffered: number;
  pending: number;
  inFlight: number;
  accepted: number;
  batchesWritten: number;
  eventsWritten: number;
  dropped: number;
  paused: boolean;
  pauses: number;
  writeErrors: number;
  gapsReported: number;
}

interface Chunk {
  events: BgpEvent[];
  /** Index of the first event not yet taken into a batch. */
  offset: number;
  receivedAtMs: number;
}

interface OverflowEpisode {
  source: EventSource;
  startedAtMs: number;
  lastEventBeforeUs: number | null;
  dropped: number;
}

/** The events of one batch and how many of them share each receive time. */
interface TakenBatch {
  events: BgpEvent[];
  receipts: Array<{ count: number; receivedAtMs: number }>;
}

export class EventBatcher<R = void> {
  private readonly timers: BatcherTimers;
  private readonly highWater: number;
  private readonly lowWater: number;
  readonly lag: LagHistogram;

  private chunks: Chunk[] = [];
  private head = 0;
  private pending = 0;
  private inFlight = 0;
  private readonly maxInFlight: number;
  /** Running write loops, at most maxInFlight. */
  private lanes = new Set<Promise<void>>();
  private timer: unknown = null;
  private draining = false;
  private giveUp = false;
  private closed = false;
  private paused = false;
  private overflow: OverflowEpisode | null = null;
  private lastAcceptedUs: number | null = null;

  private counters = { accepted: 0, batchesWritten: 0, eventsWritten: 0, dropped: 0, pauses: 0, writeErrors: 0, gapsReported: 0 };

  constructor(private readonly opts: EventBatcherOptions<R>) {
    if (!(opts.batchSize >= 1)) throw new Error('batchSize must be ≥ 1');
    if (!(opts.flushMs >= 0)) throw new Error('flushMs must be ≥ 0');
    if (!(opts.maxBuffered >= opts.batchSize)) throw new Error('maxBuffered must be ≥ batchSize');
    this.timers = opts.timers ?? realTimers;
    this.highWater = opts.highWater ?? Math.floor(opts.maxBuffered / 2);
    this.lowWater = opts.lowWater ?? Math.floor(opts.maxBuffered / 4);
    if (!(this.lowWater < this.highWater && this.highWater <= opts.maxBuffered)) {
      throw new Error('need lowWater < highWater ≤ maxBuffered');
    }
    this.lag = opts.lag ?? new LagHistogram();
    this.maxInFlight = opts.maxInFlight ?? 1;
    if (!(Number.isInteger(this.maxInFlight) && this.maxInFlight >= 1)) throw new Error('maxInFlight must be an integer ≥ 1');
  }

  /** Accept the events of one message. Returns how many were accepted (the rest were dropped). */
  add(events: BgpEvent[], receivedAtMs: number = this.timers.now()): number {
    if (events.length === 0) return 0;
    if (this.closed) {
      this.dropEvents(events, 0);
      return 0;
    }
    const room = this.opts.maxBuffered - (this.pending + this.inFlight);
    const take = Math.max(0, Math.min(room, events.length));
    if (take === events.length && this.overflow) this.closeOverflow(events[0]?.timestampUs ?? null);
    if (take > 0) {
      const accepted = take === events.length ? events : events.slice(0, take);
      this.chunks.push({ events: accepted, offset: 0, receivedAtMs });
      this.pending += take;
      this.counters.accepted += take;
      this.lastAcceptedUs = accepted[take - 1]?.timestampUs ?? this.lastAcceptedUs;
    }
    if (take < events.length) this.dropEvents(events, take);

    if (!this.paused && this.pending + this.inFlight > this.highWater) {
      this.paused = true;
      this.counters.pauses++;
      this.opts.onPause?.();
    }
    this.schedule();
    return take;
  }

  /**
   * Write everything buffered (and stop accepting when `close` is set). With a deadline, gives
   * up on a write that keeps failing and reports what could not be written as a gap.
   */
  async drain(opts: { close?: boolean; deadlineMs?: number } = {}): Promise<void> {
    if (opts.close) this.closed = true;
    this.draining = true;
    let deadline: unknown = null;
    try {
      const work = (async () => {
        while (this.pending > 0 || this.lanes.size > 0) {
          this.kick();
          if (this.lanes.size > 0) await Promise.race(this.lanes);
          if (this.giveUp) break;
        }
      })();
      if (opts.deadlineMs !== undefined) {
        const timeout = new Promise<void>((resolve) => {
          deadline = this.timers.setTimeout(() => {
            this.giveUp = true;
            resolve();
          }, opts.deadlineMs ?? 0);
        });
        // A hard deadline: a write that hangs is not waited for (it may still commit later).
        await Promise.race([work, timeout]);
      } else {
        await work;
      }
    } finally {
      if (deadline !== null) this.timers.clearTimeout(deadline);
      this.draining = false;
    }
    if (this.giveUp && this.pending > 0) this.abandonPending();
    if (this.overflow) this.closeOverflow(null);
  }

  stats(): BatcherStats {
    return {
      buffered: this.pending + this.inFlight,
      pending: this.pending,
      inFlight: this.inFlight,
      paused: this.paused,
      ...this.counters,
    };
  }

  private dropEvents(events: BgpEvent[], from: number): void {
    const n = events.length - from;
    this.counters.dropped += n;
    if (!this.overflow) {
      this.overflow = {
        source: events[from]?.source ?? 'ris_live_bgp',
        startedAtMs: this.timers.now(),
        lastEventBeforeUs: this.lastAcceptedUs,
        dropped: 0,
      };
    }
    this.overflow.dropped += n;
  }

  private closeOverflow(firstEventAfterUs: number | null, reason = 'overflow'): void {
    const ep = this.overflow;
    if (!ep) return;
    this.overflow = null;
    this.counters.gapsReported++;
    this.opts.onGap?.(
      {
        source: ep.source,
        startedAtMs: ep.startedAtMs,
        endedAtMs: this.timers.now(),
        lastEventBeforeUs: ep.lastEventBeforeUs,
        firstEventAfterUs,
        reason: `${reason}: dropped ${ep.dropped} events (buffer cap ${this.opts.maxBuffered})`,
      },
      ep.dropped,
    );
  }

  /** Shutdown with the database unreachable: what is still pending is lost; say so. */
  private abandonPending(): void {
    const left: BgpEvent[] = [];
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c) left.push(...c.events.slice(c.offset));
    }
    this.chunks = [];
    this.head = 0;
    this.pending = 0;
    if (left.length === 0) return;
    this.dropEvents(left, 0);
    this.closeOverflow(null, 'shutdown before write');
  }

  private schedule(): void {
    if (this.pending >= this.opts.batchSize) {
      this.kick();
    } else if (this.pending > 0 && this.timer === null && this.lanes.size === 0) {
      this.armTimer();
    }
  }

  private armTimer(): void {
    const oldest = this.chunks[this.head]?.receivedAtMs ?? this.timers.now();
    const wait = Math.max(0, oldest + this.opts.flushMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.kick();
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Start write loops while batches are due and fewer than maxInFlight are running. */
  private kick(): void {
    while (this.lanes.size < this.maxInFlight && this.isDue() && !this.giveUp) {
      const lane: Promise<void> = this.runLane().finally(() => {
        this.lanes.delete(lane);
        if (this.pending > 0 && this.timer === null && !this.giveUp) this.armTimer();
      });
      this.lanes.add(lane);
    }
    // Timers may fire a little before Date.now() says the wait is over: nothing is due yet, so
    // wait again rather than leave the pending events without a timer.
    if (this.lanes.size === 0 && this.pending > 0 && this.timer === null && !this.giveUp) this.armTimer();
  }

  private isDue(): boolean {
    if (this.pending === 0) return false;
    if (this.draining || this.pending >= this.opts.batchSize) return true;
    const oldest = this.chunks[this.head]?.receivedAtMs;
    return oldest !== undefined && this.timers.now() - oldest >= this.opts.flushMs;
  }

  private async runLane(): Promise<void> {
    while (this.isDue() && !this.giveUp) {
      this.clearTimer();
      const batch = this.takeBatch();
      // Another batch may already be due (a burst): let a second lane take it meanwhile.
      if (this.lanes.size < this.maxInFlight) queueMicrotask(() => this.kick());
      const written = await this.writeWithRetry(batch.events);
      this.inFlight -= batch.events.length;
      if (!written) {
        // Gave up at shutdown: count the batch as lost (it may or may not be in the database).
        this.dropEvents(batch.events, 0);
        this.closeOverflow(null, 'shutdown during failing write');
        break;
      }
      this.recordCommit(batch, written.result);
      if (this.paused && this.pending + this.inFlight < this.lowWater) {
        this.paused = false;
        this.opts.onResume?.();
      }
    }
  }

  private takeBatch(): TakenBatch {
    const events: BgpEvent[] = [];
    const receipts: TakenBatch['receipts'] = [];
    let want = this.opts.batchSize;
    while (want > 0 && this.head < this.chunks.length) {
      const c = this.chunks[this.head];
      if (!c) break;
      const n = Math.min(want, c.events.length - c.offset);
      for (let i = 0; i < n; i++) {
        const e = c.events[c.offset + i];
        if (e) events.push(e);
      }
      receipts.push({ count: n, receivedAtMs: c.receivedAtMs });
      c.offset += n;
      want -= n;
      if (c.offset >= c.events.length) this.head++;
    }
    // Compact the consumed prefix now and then instead of shifting on every take.
    if (this.head > 1024 || this.head === this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.pending -= events.length;
    this.inFlight += events.length;
    return { events, receipts };
  }

  private async writeWithRetry(batch: BgpEvent[]): Promise<{ result: R } | null> {
    const retry = this.opts.retry ?? { initialMs: 200, maxMs: 5000 };
    let delay = retry.initialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return { result: await this.opts.write(batch) };
      } catch (err) {
        this.counters.writeErrors++;
        if (this.giveUp) return null;
        this.opts.onWriteError?.(err, attempt, delay);
        await new Promise<void>((resolve) => this.timers.setTimeout(resolve, delay));
        if (this.giveUp) return null;
        delay = Math.min(retry.maxMs, delay * 2);
      }
    }
  }

  private recordCommit(batch: TakenBatch, result: R): void {
    const committedAtMs = this.timers.now();
    for (const r of batch.receipts) this.lag.record(committedAtMs - r.receivedAtMs, r.count);
    this.counters.batchesWritten++;
    this.counters.eventsWritten += batch.events.length;
    this.opts.onCommitted?.(batch.events, {
      result,
      committedAtMs,
      oldestReceivedAtMs: batch.receipts[0]?.receivedAtMs ?? committedAtMs,
    });
  }
}
