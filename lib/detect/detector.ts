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
import type { Anomaly, AnomalyCandidate } from '@/lib/detect/types';
import { WatchIndex } from '@/lib/detect/watch';

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
  private nowUs = 0;

  constructor(
    baselines: RuleBaselines,
    config: DetectionConfig,
    opts: { watch?: WatchIndex; state?: RouteState; stateOptions?: RouteStateOptions; rules?: readonly Rule[] } = {},
  ) {
    this.state = opts.state ?? new RouteState(opts.stateOptions);
    this.memory = new RuleMemory(config);
    this.tracker = new AnomalyTracker(config);
    this.ctx = { baselines, config, state: this.state, watch: opts.watch ?? new WatchIndex(), memory: this.memory };
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
