import { describe, expect, it } from 'vitest';
import type { BgpEvent, IngestGap } from '@/lib/bgp/types';
import { EventBatcher, type EventBatcherOptions } from '@/lib/ingest/event-batcher';
import { ManualClock, deferred, makeEvent, settle } from '@/lib/ingest/test-support';

const events = (from: number, n: number) => Array.from({ length: n }, (_, i) => makeEvent(from + i));
const keys = (batch: BgpEvent[]) => batch.map((e) => e.dedupKey);

/** A write that records each call and completes only when the test says so. */
function gatedWriter() {
  const calls: BgpEvent[][] = [];
  const gates: Array<ReturnType<typeof deferred<void>>> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (batch: BgpEvent[]) => {
    calls.push(batch);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const g = deferred<void>();
    gates.push(g);
    try {
      await g.promise;
    } finally {
      inFlight--;
    }
  };
  const release = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      const g = gates.shift();
      if (!g) throw new Error('no write waiting');
      g.resolve();
      await settle();
    }
  };
  return { write, calls, release, get maxInFlight() { return maxInFlight; }, get waiting() { return gates.length; } };
}

function setup(over: Partial<EventBatcherOptions<void>> = {}) {
  const clock = new ManualClock();
  const written: BgpEvent[][] = [];
  const log: string[] = [];
  const gaps: Array<{ gap: IngestGap; dropped: number }> = [];
  const batcher = new EventBatcher<void>({
    batchSize: 3,
    flushMs: 1000,
    maxBuffered: 12,
    write: async (b) => {
      written.push(b);
    },
    onPause: () => log.push('pause'),
    onResume: () => log.push('resume'),
    onGap: (gap, dropped) => gaps.push({ gap, dropped }),
    timers: clock,
    ...over,
  });
  return { clock, batcher, written, log, gaps };
}

describe('EventBatcher flushing', () => {
  it('writes as soon as batchSize events are pending', async () => {
    const { batcher, written } = setup();
    batcher.add(events(0, 2));
    await settle();
    expect(written).toHaveLength(0);
    batcher.add(events(2, 2));
    await settle();
    expect(written.map(keys)).toEqual([keys(events(0, 3))]);
    expect(batcher.stats().pending).toBe(1);
  });

  it('writes a partial batch once the oldest event has waited flushMs', async () => {
    const { batcher, written, clock } = setup();
    batcher.add(events(0, 1));
    await clock.advance(600);
    batcher.add(events(1, 1));
    await clock.advance(399);
    expect(written).toHaveLength(0);
    await clock.advance(1);
    expect(written.map(keys)).toEqual([keys(events(0, 2))]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one write in flight and commits batches in arrival order', async () => {
    const w = gatedWriter();
    const { batcher } = setup({ write: w.write, maxBuffered: 100 });
    for (let i = 0; i < 10; i++) batcher.add(events(i, 1));
    await settle();
    expect(w.calls).toHaveLength(1);
    while (w.waiting > 0 || batcher.stats().pending >= 3) await w.release();
    const drained = batcher.drain();
    await settle();
    while (w.waiting > 0) await w.release();
    await drained;
    expect(w.maxInFlight).toBe(1);
    expect(w.calls.map((c) => c.length)).toEqual([3, 3, 3, 1]);
    expect(w.calls.flat().map((e) => e.dedupKey)).toEqual(keys(events(0, 10)));
    expect(batcher.stats()).toMatchObject({ eventsWritten: 10, batchesWritten: 4, buffered: 0, dropped: 0 });
  });

  it('splits a big message across batches without losing or reordering events', async () => {
    const { batcher, written } = setup({ maxBuffered: 50 });
    batcher.add(events(0, 8));
    await batcher.drain();
    expect(written.map((b) => b.length)).toEqual([3, 3, 2]);
    expect(written.flat().map((e) => e.dedupKey)).toEqual(keys(events(0, 8)));
  });

  it('drain() writes what is pending immediately, without waiting for flushMs', async () => {
    const { batcher, written, clock } = setup();
    batcher.add(events(0, 2));
    await batcher.drain({ close: true });
    expect(written.flat()).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
    // After close, events are refused and counted, not buffered.
    expect(batcher.add(events(2, 1))).toBe(0);
    expect(batcher.stats().dropped).toBe(1);
  });

  it('retries a failed write with the same batch, in order', async () => {
    let failures = 2;
    const written: BgpEvent[][] = [];
    const errors: number[] = [];
    const { batcher, clock } = setup({
      write: async (b) => {
        if (failures-- > 0) throw new Error('db down');
        written.push(b);
      },
      onWriteError: (_e, attempt, retryIn) => errors.push(attempt * 1000 + retryIn),
      retry: { initialMs: 100, maxMs: 150 },
    });
    batcher.add(events(0, 4));
    await settle();
    expect(written).toHaveLength(0);
    await clock.advance(100);
    expect(written).toHaveLength(0);
    await clock.advance(150);
    expect(written.map(keys)).toEqual([keys(events(0, 3))]);
    expect(errors).toEqual([1100, 2150]);
    await batcher.drain();
    expect(written.flat().map((e) => e.dedupKey)).toEqual(keys(events(0, 4)));
    expect(batcher.stats().writeErrors).toBe(2);
  });
});

describe('EventBatcher back-pressure and overflow', () => {
  it('pauses above the high-water mark and resumes below the low-water mark', async () => {
    const w = gatedWriter();
    const { batcher, log } = setup({ write: w.write, maxBuffered: 20, highWater: 6, lowWater: 2 });
    for (let i = 0; i < 6; i++) batcher.add(events(i, 1));
    expect(log).toEqual([]);
    batcher.add(events(6, 1));
    expect(log).toEqual(['pause']);
    batcher.add(events(7, 1));
    expect(log).toEqual(['pause']);
    expect(batcher.stats()).toMatchObject({ paused: true, buffered: 8, inFlight: 3 });
    await w.release(); // 5 left buffered (3 in flight again)
    expect(log).toEqual(['pause']);
    await w.release(); // 2 left: not below 2 yet
    expect(log).toEqual(['pause']);
    expect(batcher.stats()).toMatchObject({ buffered: 2, inFlight: 0 });
    // The last 2 are written by drain; resume fires once buffered drops under 2.
    const d = batcher.drain();
    await settle();
    while (w.waiting > 0) await w.release();
    await d;
    expect(log).toEqual(['pause', 'resume']);
    expect(batcher.stats()).toMatchObject({ paused: false, buffered: 0, pauses: 1, dropped: 0 });
  });

  it('drops the excess at the hard cap, counts it, and reports one gap when data is accepted again', async () => {
    const w = gatedWriter();
    const { batcher, gaps, clock } = setup({ write: w.write, maxBuffered: 10, highWater: 8, lowWater: 4 });
    const t0 = clock.now();
    expect(batcher.add(events(0, 7))).toBe(7);
    await clock.advance(5);
    // Partially accepted message: 3 fit, 2 dropped.
    expect(batcher.add(events(7, 5))).toBe(3);
    await clock.advance(5);
    expect(batcher.add(events(12, 4))).toBe(0);
    expect(batcher.stats()).toMatchObject({ dropped: 6, buffered: 10 });
    expect(gaps).toHaveLength(0);

    await w.release(); // frees 3
    await clock.advance(20);
    expect(batcher.add(events(100, 2))).toBe(2);
    expect(gaps).toHaveLength(1);
    const g = gaps[0];
    expect(g?.dropped).toBe(6);
    expect(g?.gap).toMatchObject({
      source: 'ris_live_bgp',
      startedAtMs: t0 + 5,
      endedAtMs: t0 + 30,
      lastEventBeforeUs: makeEvent(9).timestampUs,
      firstEventAfterUs: makeEvent(100).timestampUs,
    });
    expect(g?.gap.reason).toMatch(/overflow: dropped 6 events/);

    const d = batcher.drain();
    while (batcher.stats().buffered > 0) {
      await settle();
      if (w.waiting > 0) await w.release();
    }
    await d;
    const written = w.calls.flat().map((e) => e.dedupKey);
    expect(written).toEqual([...keys(events(0, 10)), ...keys(events(100, 2))]);
    expect(batcher.stats()).toMatchObject({ accepted: 12, eventsWritten: 12, dropped: 6, gapsReported: 1 });
  });

  it('closes an open overflow episode at drain with an unknown first event after', async () => {
    const w = gatedWriter();
    const { batcher, gaps } = setup({ write: w.write, maxBuffered: 4, batchSize: 2, highWater: 3, lowWater: 1 });
    batcher.add(events(0, 6));
    const d = batcher.drain();
    while (w.waiting > 0 || batcher.stats().buffered > 0) {
      await settle();
      if (w.waiting > 0) await w.release();
    }
    await d;
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.dropped).toBe(2);
    expect(gaps[0]?.gap.firstEventAfterUs).toBeNull();
  });

  it('gives up at the drain deadline when the database stays down, and reports the loss', async () => {
    const { batcher, gaps, clock } = setup({
      write: async () => {
        throw new Error('db down');
      },
      retry: { initialMs: 100, maxMs: 100 },
    });
    batcher.add(events(0, 5));
    const d = batcher.drain({ close: true, deadlineMs: 1000 });
    await clock.advance(1000);
    await d;
    expect(batcher.stats().buffered).toBeLessThanOrEqual(3);
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    expect(gaps.map((g) => g.gap.reason).join(' ')).toMatch(/shutdown/);
    // Everything not written is accounted for as dropped.
    expect(batcher.stats().dropped + batcher.stats().buffered).toBe(5);
  });
});

describe('EventBatcher lag', () => {
  it('records received → committed lag per event', async () => {
    const w = gatedWriter();
    const { batcher, clock } = setup({ write: w.write, batchSize: 4, maxBuffered: 40 });
    const t0 = clock.now();
    batcher.add(events(0, 1), t0); // waits for the flush timer: lag 1000 + write time
    await clock.advance(1000);
    await clock.advance(50);
    await w.release();
    batcher.add(events(1, 4), clock.now()); // full batch: written at once
    await clock.advance(10);
    await w.release();
    const s = batcher.lag.snapshot();
    expect(s.count).toBe(5);
    expect(s.max).toBe(1050);
    expect(s.p50).toBe(10);
    expect(s.p99).toBe(1050);
  });

  it('rejects inconsistent options', () => {
    const write = async () => undefined;
    expect(() => new EventBatcher({ batchSize: 10, flushMs: 1, maxBuffered: 5, write })).toThrow(/maxBuffered/);
    expect(() => new EventBatcher({ batchSize: 1, flushMs: 1, maxBuffered: 10, highWater: 3, lowWater: 5, write })).toThrow(/lowWater/);
  });
});

describe('EventBatcher with overlapping writes', () => {
  it('keeps at most maxInFlight writes running and writes every event exactly once', async () => {
    const w = gatedWriter();
    const { batcher } = setup({ write: w.write, maxInFlight: 2, maxBuffered: 30 });
    batcher.add(events(0, 9));
    await settle();
    // Three batches are due; only two may run.
    expect(w.calls).toHaveLength(2);
    expect(batcher.stats().inFlight).toBe(6);
    await w.release(1);
    expect(w.calls).toHaveLength(3);
    await w.release(2);
    await batcher.drain();
    expect(w.maxInFlight).toBe(2);
    expect(w.calls.flatMap(keys)).toEqual(keys(events(0, 9)));
    expect(batcher.stats()).toMatchObject({ inFlight: 0, pending: 0, eventsWritten: 9, batchesWritten: 3 });
  });

  it('refuses a maxInFlight that is not a positive integer', () => {
    expect(() => setup({ maxInFlight: 0 })).toThrow(/maxInFlight/);
  });
});

describe('EventBatcher under random arrivals and write times', () => {
  it('never strands events: with 1 or 3 writers everything is written exactly once', async () => {
    for (const maxInFlight of [1, 3]) {
      let seed = 99 + maxInFlight;
      const rand = () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32;
      };
      const clock = new ManualClock();
      const written: string[] = [];
      const batcher = new EventBatcher<void>({
        batchSize: 7,
        flushMs: 50,
        maxBuffered: 10_000,
        maxInFlight,
        timers: clock,
        write: (b) =>
          new Promise<void>((resolve) =>
            clock.setTimeout(() => {
              written.push(...keys(b));
              resolve();
            }, Math.floor(rand() * 120)),
          ),
      });
      let next = 0;
      for (let step = 0; step < 400; step++) {
        const n = Math.floor(rand() * 5);
        batcher.add(events(next, n));
        next += n;
        await clock.advance(Math.floor(rand() * 30));
      }
      // No drain: the timers alone must get every event written.
      await clock.advance(5_000);
      expect(written.length, `maxInFlight ${maxInFlight}`).toBe(next);
      expect(new Set(written).size).toBe(next);
      expect(batcher.stats()).toMatchObject({ pending: 0, inFlight: 0 });
    }
  });
});

describe('EventBatcher with timers that fire early', () => {
  it('re-arms instead of stranding events when the flush timer fires before the wait is over', async () => {
    const clock = new ManualClock();
    // Real timers can fire ~1 ms before Date.now() reaches the deadline.
    const early = { now: clock.now, clearTimeout: clock.clearTimeout, setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms > 1 ? ms - 1 : ms) };
    for (const maxInFlight of [1, 2]) {
      const written: BgpEvent[][] = [];
      const batcher = new EventBatcher<void>({ batchSize: 10, flushMs: 30, maxBuffered: 100, maxInFlight, timers: early, write: async (b) => void written.push(b) });
      batcher.add(events(0, 3));
      await clock.advance(100);
      expect(written.map(keys), `maxInFlight ${maxInFlight}`).toEqual([keys(events(0, 3))]);
    }
  });
});
