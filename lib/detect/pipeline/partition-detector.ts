// One partition's detection (pure): a Detector over the partition's prefixes, plus the pieces a
// partitioned deployment needs that a single Detector does not:
//
// - Origin-level mass withdrawal spans partitions (one origin's prefixes live in many), so the
//   local rule's per-origin candidates are dropped here; instead each batch reports, per origin
//   and event-time bucket (massWithdrawal.windowSeconds wide), how many of its prefixes were newly
//   withdrawn in this partition and their expected withdrawals. The orchestration sums those over
//   the partitions (Redis) and hands the totals back to `originTotals`, which decides on the sum.
//   Partitions own disjoint prefixes, so the sum of distinct prefixes is exact.
// - Checkpoint / restore of the route state and the open anomalies, so a restarted or
//   taking-over process resumes instead of re-learning (rule windows are short and start over).

import type { BgpEvent } from '@/lib/bgp/types';
import type { DetectionConfig } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { anomalyDedupKey } from '@/lib/detect/lifecycle';
import { RouteState } from '@/lib/detect/route-state';
import { bumpSeverity, hourlyMean, round3, type RuleBaselines } from '@/lib/detect/rules/common';
import { RULES, type Rule } from '@/lib/detect/rules/index';
import { detectMassWithdrawal } from '@/lib/detect/rules/mass-withdrawal';
import type { Anomaly, AnomalyCandidate, Severity } from '@/lib/detect/types';
import type { WatchIndex } from '@/lib/detect/watch';

/** This partition's share of one origin's withdrawals in one bucket (new since the last report). */
export interface OriginWithdrawalDelta {
  origin: number;
  bucketStartUs: number;
  prefixes: number;
  expected: number;
  /** Distinct peers seen withdrawing in this partition (a lower bound of the total). */
  peers: number;
  lastUs: number;
}

/** Summed over all partitions. */
export interface OriginWithdrawalTotals {
  origin: number;
  bucketStartUs: number;
  prefixes: number;
  expected: number;
  peers: number;
  lastUs: number;
}

export interface PartitionCheckpoint {
  routeState: Buffer;
  /** Open anomalies of the tracker, as plain JSON. */
  open: Anomaly[];
  nowUs: number;
}

interface BucketEntry {
  prefixes: Set<number>;
  peers: Set<number>;
  expected: number;
  reportedPrefixes: number;
  reportedExpected: number;
  lastUs: number;
}

export class PartitionDetector {
  readonly detector: Detector;
  private config: DetectionConfig;
  private readonly buckets = new Map<number, Map<number, BucketEntry>>();
  private readonly touched = new Set<BucketEntry>();
  private readonly touchedKeys = new Map<BucketEntry, { origin: number; bucketStartUs: number }>();
  private nowUs = 0;

  constructor(
    private readonly baselines: RuleBaselines,
    config: DetectionConfig,
    opts: { watch?: WatchIndex; checkpoint?: PartitionCheckpoint } = {},
  ) {
    this.config = config;
    const rules: Rule[] = RULES.map((r) => (r === detectMassWithdrawal ? this.massWithdrawalRule : r));
    const state = opts.checkpoint ? RouteState.restore(opts.checkpoint.routeState) : undefined;
    this.detector = new Detector(baselines, config, { ...(opts.watch ? { watch: opts.watch } : {}), ...(state ? { state } : {}), rules });
    if (opts.checkpoint) {
      this.nowUs = opts.checkpoint.nowUs;
      for (const saved of opts.checkpoint.open) this.reopen(saved);
      // Restored anomalies are already stored: nothing to upsert or push for them.
      this.detector.tracker.drainChanged();
    }
  }

  setConfig(config: DetectionConfig): void {
    this.config = config;
    this.detector.setConfig(config);
  }

  /**
   * The prefix-local rule stays; its per-origin candidates give way to the cross-partition sum.
   * A prefix without a baseline yet is being learned: with no known withdrawal rate, every
   * ordinary burst of churn would pass for an outage (the other rules skip such prefixes too).
   */
  private readonly massWithdrawalRule: Rule = (input, ctx) => {
    const { change, event } = input;
    if (change.kind === 'withdraw' && change.previousOrigin !== null) this.countOriginWithdrawal(change.previousOrigin, change.prefixId, change.peerId, event);
    return detectMassWithdrawal(input, ctx).filter((c) => c.prefix !== null && ctx.baselines.getBaseline(c.prefix, ctx.config.baselineWindow) !== undefined);
  };

  private countOriginWithdrawal(origin: number, prefixId: number, peerId: number, event: BgpEvent): void {
    const windowUs = this.config.massWithdrawal.windowSeconds * 1e6;
    const bucketStartUs = Math.floor(event.timestampUs / windowUs) * windowUs;
    let byOrigin = this.buckets.get(bucketStartUs);
    if (!byOrigin) this.buckets.set(bucketStartUs, (byOrigin = new Map()));
    let e = byOrigin.get(origin);
    if (!e) byOrigin.set(origin, (e = { prefixes: new Set(), peers: new Set(), expected: 0, reportedPrefixes: 0, reportedExpected: 0, lastUs: 0 }));
    if (!e.prefixes.has(prefixId)) {
      e.prefixes.add(prefixId);
      const view = this.baselines.getBaseline(event.prefix, this.config.baselineWindow);
      if (view) e.expected += (hourlyMean(view.withdrawals, view.hoursSeen, this.baselines.windowMeta(this.config.baselineWindow)) * this.config.massWithdrawal.windowSeconds) / 3600;
    }
    e.peers.add(peerId);
    if (event.timestampUs > e.lastUs) e.lastUs = event.timestampUs;
    this.touched.add(e);
    this.touchedKeys.set(e, { origin, bucketStartUs });
  }

  /** Applies a batch; returns the changed anomalies and this batch's per-origin withdrawal deltas. */
  process(events: readonly BgpEvent[]): { changed: Anomaly[]; withdrawals: OriginWithdrawalDelta[]; nowUs: number; candidates: number } {
    const r = this.detector.processBatch(events);
    if (r.nowUs > this.nowUs) this.nowUs = r.nowUs;
    const withdrawals: OriginWithdrawalDelta[] = [];
    for (const e of this.touched) {
      const k = this.touchedKeys.get(e)!;
      const prefixes = e.prefixes.size - e.reportedPrefixes;
      const expected = e.expected - e.reportedExpected;
      e.reportedPrefixes = e.prefixes.size;
      e.reportedExpected = e.expected;
      if (prefixes > 0 || expected > 0) withdrawals.push({ ...k, prefixes, expected, peers: e.peers.size, lastUs: e.lastUs });
    }
    this.touched.clear();
    this.touchedKeys.clear();
    // Buckets older than two windows can no longer grow (event time moves on).
    const keepUs = 2 * this.config.massWithdrawal.windowSeconds * 1e6;
    for (const b of this.buckets.keys()) if (this.nowUs - b > keepUs) this.buckets.delete(b);
    return { changed: r.changed, withdrawals, nowUs: this.nowUs, candidates: r.candidates };
  }

  /**
   * Folds cross-partition totals into this partition's lifecycle (the partition that owns the
   * origin's bucket). Returns the anomalies opened or updated.
   */
  originTotals(totals: readonly OriginWithdrawalTotals[], watch?: WatchIndex): Anomaly[] {
    for (const t of totals) {
      const c = originWithdrawalCandidate(t, this.config, watch?.isWatchedAsn(t.origin) ?? false);
      if (c) this.detector.tracker.observe(c);
    }
    return this.detector.tracker.drainChanged();
  }

  checkpoint(): PartitionCheckpoint {
    return { routeState: this.detector.state.checkpoint(), open: structuredClone(this.detector.tracker.openAnomalies()), nowUs: this.nowUs };
  }

  get eventTimeUs(): number {
    return this.nowUs;
  }

  /** Re-opens a saved anomaly with its stored key and evidence (the tracker has no restore of its own). */
  private reopen(saved: Anomaly): void {
    const a = this.detector.tracker.observe(saved);
    Object.assign(a, structuredClone(saved));
  }
}

/** The origin-level mass-withdrawal candidate on the summed counts, or null below the thresholds. */
export function originWithdrawalCandidate(t: OriginWithdrawalTotals, cfg: DetectionConfig, watched: boolean): AnomalyCandidate | null {
  const mw = cfg.massWithdrawal;
  if (t.prefixes < mw.minPrefixesPerOrigin || t.prefixes <= mw.rateFactor * t.expected) return null;
  let severity: Severity = t.prefixes >= mw.criticalPrefixes ? 'critical' : t.prefixes >= 4 * mw.minPrefixesPerOrigin ? 'high' : 'medium';
  if (watched) severity = bumpSeverity(severity);
  return {
    type: 'mass_withdrawal',
    entityKey: `AS${t.origin}`,
    prefix: null,
    baselineOrigins: [t.origin],
    originAsn: t.origin,
    startedAtUs: t.bucketStartUs,
    confidence: round3(Math.min(1, t.prefixes / (2 * mw.minPrefixesPerOrigin)) * 0.5 + Math.min(1, t.peers / cfg.confidence.peersForFull) * 0.5),
    severity,
    summary: `${t.prefixes} prefixes of AS${t.origin} withdrawn within ${mw.windowSeconds} s (about ${t.expected.toFixed(1)} expected), summed over all detection partitions`,
    evidence: { peers: [], collectors: [], samples: [], details: { prefixes: t.prefixes, peers: t.peers, expected: Math.round(t.expected * 100) / 100 } },
    watched,
  };
}

export const originWithdrawalDedupKey = (t: { origin: number; bucketStartUs: number }, cfg: DetectionConfig): string =>
  anomalyDedupKey('mass_withdrawal', `AS${t.origin}`, t.bucketStartUs, cfg);

/**
 * The origin-level anomaly as a partition that does not own the bucket writes it: straight to the
 * store (the upsert merges it with the owner's row by dedup key: counts and severity only grow).
 */
export function originWithdrawalAnomaly(t: OriginWithdrawalTotals, cfg: DetectionConfig, watched: boolean): Anomaly | null {
  const c = originWithdrawalCandidate(t, cfg, watched);
  if (!c) return null;
  return { ...c, dedupKey: originWithdrawalDedupKey(t, cfg), status: 'ongoing', endedAtUs: null, lastSeenUs: Math.max(t.lastUs, t.bucketStartUs), peakPeers: t.peers };
}
