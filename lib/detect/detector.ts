// One detection pipeline (pure, event time): events → route state → rules → lifecycle. The
// BullMQ processor (later) owns one per partition (by prefix), feeds it batches, upserts what
// drainChanged() returns and pushes it to the live channel.

import type { BgpEvent } from '@/lib/bgp/types';
import type { DetectionConfig } from '@/lib/detect/config';
import { AnomalyTracker } from '@/lib/detect/lifecycle';
import { RouteState, type RouteStateOptions } from '@/lib/detect/route-state';
import type { RuleBaselines, RuleContext } from '@/lib/detect/rules/common';
import { runRules, RULES, type Rule } from '@/lib/detect/rules/index';
import { RuleMemory } from '@/lib/detect/rules/memory';
import type { BaselineView } from '@/lib/baseline/codec';
import type { WindowMeta } from '@/lib/baseline/summary';
import type { BaselineWindow } from '@/lib/baseline/types';
import type { Anomaly, AnomalyCandidate } from '@/lib/detect/types';
import { WatchIndex } from '@/lib/detect/watch';

/**
 * The baselines as the rules of one event see them: up to four rules ask for the event prefix's
 * baseline, and each ask would be a Map probe keyed by a fresh string into a table of a million
 * prefixes. The first answer per event is kept; with a slot-addressed cache (BaselineCache) the
 * route state's prefix id maps to the cache slot in a typed array, so after the first sighting of a
 * prefix there is no string probe at all. The map is dropped whenever the cache's slot assignment
 * changes (a refresh that added or removed prefixes). Other prefixes (covers) pass through.
 */
class EventBaselines implements RuleBaselines {
  private prefix: string | undefined;
  private prefixId = -1;
  /** The one window kept (the rules all read config.baselineWindow); null until asked. */
  private window: BaselineWindow | null = null;
  private view: BaselineView | undefined;
  /** Route-state prefix id → cache slot + 1; 0 unknown yet, -1 no baseline. */
  private slots = new Int32Array(0);
  private seenGeneration = -1;

  constructor(readonly inner: RuleBaselines) {}

  begin(prefix: string, prefixId: number): void {
    this.prefix = prefix;
    this.prefixId = prefixId;
    this.window = null;
    this.view = undefined;
  }

  getBaseline(prefix: string, window: BaselineWindow): BaselineView | undefined {
    if (prefix !== this.prefix) return this.inner.getBaseline(prefix, window);
    if (window === this.window) return this.view;
    const view = this.lookup(prefix, window);
    if (this.window === null) (this.window = window), (this.view = view);
    return view;
  }

  private lookup(prefix: string, window: BaselineWindow): BaselineView | undefined {
    const { inner } = this;
    if (inner.generation === undefined || !inner.slotOf || !inner.getBaselineAt) return inner.getBaseline(prefix, window);
    if (inner.generation !== this.seenGeneration) {
      this.seenGeneration = inner.generation;
      this.slots.fill(0);
    }
    const id = this.prefixId;
    if (id >= this.slots.length) {
      const grown = new Int32Array(Math.max(1024, id * 2));
      grown.set(this.slots);
      this.slots = grown;
    }
    let s = this.slots[id]!;
    if (s === 0) {
      const slot = inner.slotOf(prefix);
      this.slots[id] = s = slot < 0 ? -1 : slot + 1;
    }
    return s < 0 ? undefined : inner.getBaselineAt(s - 1, window);
  }

  linkHint(from: number, to: number, window?: BaselineWindow): number {
    return this.inner.linkHint(from, to, window);
  }

  windowMeta(window: BaselineWindow): WindowMeta | undefined {
    return this.inner.windowMeta(window);
  }
}

export interface BatchResult {
  candidates: number;
  /** Anomalies opened, updated or resolved by this batch. */
  changed: Anomaly[];
  /** Event time the batch reached (µs). */
  nowUs: number;
}

export class Detector {
  readonly state: RouteState;
  readonly tracker: AnomalyTracker;
  private memory: RuleMemory;
  private ctx: RuleContext;
  private readonly eventBaselines: EventBaselines;
  private nowUs = 0;

  constructor(
    baselines: RuleBaselines,
    config: DetectionConfig,
    opts: { watch?: WatchIndex; state?: RouteState; stateOptions?: RouteStateOptions; rules?: readonly Rule[] } = {},
  ) {
    this.state = opts.state ?? new RouteState(opts.stateOptions);
    this.memory = new RuleMemory(config);
    this.tracker = new AnomalyTracker(config);
    this.eventBaselines = new EventBaselines(baselines);
    this.ctx = { baselines: this.eventBaselines, config, state: this.state, watch: opts.watch ?? new WatchIndex(), memory: this.memory };
    this.rules = opts.rules ?? RULES;
  }

  private readonly rules: readonly Rule[];

  /** Hot reload: new thresholds apply from the next event; short-term windows start over. */
  setConfig(config: DetectionConfig): void {
    this.memory = new RuleMemory(config);
    this.ctx = { ...this.ctx, config, memory: this.memory };
    this.tracker.setConfig(config);
  }

  setWatchList(watch: WatchIndex): void {
    this.ctx = { ...this.ctx, watch };
  }

  /** Applies a batch in order; candidates go to the lifecycle as they come. */
  processBatch(events: readonly BgpEvent[], onCandidate?: (c: AnomalyCandidate) => void): BatchResult {
    let candidates = 0;
    for (const event of events) {
      const change = this.state.apply(event);
      if (change === null) continue;
      if (event.timestampUs > this.nowUs) this.nowUs = event.timestampUs;
      if (change.kind !== 'refresh' && change.kind !== 'withdraw_unknown') this.tracker.checkPrefix(event.prefix, this.state, event.timestampUs);
      this.eventBaselines.begin(event.prefix, change.prefixId);
      for (const c of runRules({ event, change }, this.ctx, this.rules)) {
        candidates++;
        onCandidate?.(c);
        this.tracker.observe(c);
      }
    }
    this.tracker.sweep(this.nowUs);
    this.memory.prune(this.nowUs);
    return { candidates, changed: this.tracker.drainChanged(), nowUs: this.nowUs };
  }
}
