// Test helpers for the ingest code: a manual clock with timers, and event factories.
// Not imported by production code.

import type { BgpEvent } from '@/lib/bgp/types';
import type { BatcherTimers } from '@/lib/ingest/event-batcher';

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
}

/** A deterministic clock: timers fire only when advance() passes their time. */
export class ManualClock implements BatcherTimers {
  private t: number;
  private seq = 0;
  private queue: Scheduled[] = [];

  constructor(startMs = 1_000_000) {
    this.t = startMs;
  }

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.queue = this.queue.filter((s) => s.id !== handle);
  };

  get pendingTimers(): number {
    return this.queue.length;
  }

  /** Move time forward, firing due timers in time order and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > target) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = target;
    await settle();
  }
}

/** Let queued promise callbacks run (several turns, for chained awaits). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export function makeEvent(i: number, over: Partial<BgpEvent> = {}): BgpEvent {
  const third = Math.floor(i / 256) % 256;
  return {
    source: 'ris_live_bgp',
    collector: 'rrc00',
    peerAsn: 64500,
    peerIp: '192.0.2.1',
    eventType: 'announcement',
    prefix: `10.${third}.${i % 256}.0/24`,
    prefixLength: 24,
    originAsn: 64501,
    asPath: [64500, 64501],
    asPathSetMask: null,
    asPathLength: 2,
    communities: [],
    nextHop: '192.0.2.1',
    med: null,
    localPref: null,
    originAttribute: 'igp',
    aggregator: null,
    timestampUs: 1_700_000_000_000_000 + i * 1000,
    rawMessage: null,
    dedupKey: String(1_000_000 + i),
    ...over,
  };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
