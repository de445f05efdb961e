// Anomaly lifecycle (pure, event time): candidates from the rules become anomalies with a stable
// key (type | entity | start bucket). Later evidence for an open anomaly updates it (peers
// accumulate, confidence and severity only rise) instead of opening another; an anomaly ends
// (status resolved, endedAtUs) when its condition clears: a route anomaly when at most a small
// fraction of the peers that carried it at its peak still do (the hijacked more-specific
// withdrawn, the origin back), a visibility drop when peers return, a burst-type anomaly
// (withdrawals, path deviations) after a quiet period without new evidence. Replaying an
// interval again finds the same keys and changes nothing.

import type { DetectionConfig } from '@/lib/detect/config';
import type { RouteState } from '@/lib/detect/route-state';
import { moreSevere } from '@/lib/detect/rules/common';
import type { Anomaly, AnomalyCandidate, AnomalyEvidence, AnomalyType } from '@/lib/detect/types';

const ROUTE_TYPES: ReadonlySet<AnomalyType> = new Set(['origin_change', 'more_specific']);

export function startBucket(startedAtUs: number, cfg: DetectionConfig): number {
  return Math.floor(startedAtUs / (cfg.lifecycle.bucketSeconds * 1e6));
}

export function anomalyDedupKey(type: AnomalyType, entityKey: string, startedAtUs: number, cfg: DetectionConfig): string {
  return `${type}|${entityKey}|${startBucket(startedAtUs, cfg)}`;
}

/** Evidence union: peers and collectors accumulate (bounded), samples keep the first ones, details the newest. */
export function mergeEvidence(a: AnomalyEvidence, b: AnomalyEvidence, cfg: DetectionConfig): AnomalyEvidence {
  const union = (x: string[], y: string[], max: number) => [...new Set([...x, ...y])].slice(0, max);
  const samples = [...a.samples];
  for (const s of b.samples) {
    if (samples.length >= cfg.lifecycle.maxSamples) break;
    if (!samples.some((t) => t.peerIp === s.peerIp && t.collector === s.collector && t.atUs === s.atUs)) samples.push(s);
  }
  return {
    peers: union(a.peers, b.peers, cfg.lifecycle.maxEvidencePeers),
    collectors: union(a.collectors, b.collectors, 1000).sort(),
    samples,
    details: { ...a.details, ...b.details },
    ...(a.heuristic || b.heuristic ? { heuristic: true } : {}),
  };
}

const peersIn = (c: AnomalyCandidate): number => (typeof c.evidence.details.peers === 'number' ? c.evidence.details.peers : c.evidence.peers.length);

export class AnomalyTracker {
  /** type|entity → the open anomaly. */
  private readonly open = new Map<string, Anomaly>();
  /** dedupKey → anomaly, open or recently resolved (a replay must find resolved ones too). */
  private readonly known = new Map<string, Anomaly>();
  private readonly dirty = new Set<Anomaly>();
  /** prefix → its open anomalies: checkPrefix runs per state change and must not scan them all. */
  private readonly openByPrefix = new Map<string, Set<Anomaly>>();

  constructor(private config: DetectionConfig) {}

  setConfig(config: DetectionConfig): void {
    this.config = config;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Folds a candidate in; returns the anomaly it opened or updated. */
  observe(c: AnomalyCandidate): Anomaly {
    const cfg = this.config;
    const identity = `${c.type}|${c.entityKey}`;
    let a = this.open.get(identity);
    if (!a) {
      const dedupKey = anomalyDedupKey(c.type, c.entityKey, c.startedAtUs, cfg);
      const seen = this.known.get(dedupKey);
      // Already resolved and this evidence is from before the end: a replay, not a recurrence.
      if (seen && seen.endedAtUs !== null && c.startedAtUs <= seen.endedAtUs) return this.merge(seen, c);
      if (seen) {
        seen.status = 'ongoing';
        seen.endedAtUs = null;
        this.setOpen(identity, seen);
        return this.merge(seen, c);
      }
      a = { ...c, evidence: { ...c.evidence }, dedupKey, status: 'ongoing', endedAtUs: null, lastSeenUs: c.startedAtUs, peakPeers: peersIn(c) };
      this.setOpen(identity, a);
      this.known.set(dedupKey, a);
      this.dirty.add(a);
      return a;
    }
    return this.merge(a, c);
  }

  private merge(a: Anomaly, c: AnomalyCandidate): Anomaly {
    const before = JSON.stringify([a.confidence, a.severity, a.evidence.peers.length, a.peakPeers, a.status]);
    a.evidence = mergeEvidence(a.evidence, c.evidence, this.config);
    a.confidence = Math.max(a.confidence, c.confidence);
    a.severity = moreSevere(a.severity, c.severity);
    a.peakPeers = Math.max(a.peakPeers, peersIn(c));
    a.watched ||= c.watched;
    if (c.startedAtUs > a.lastSeenUs) a.lastSeenUs = c.startedAtUs;
    if (c.confidence >= a.confidence) a.summary = c.summary;
    if (JSON.stringify([a.confidence, a.severity, a.evidence.peers.length, a.peakPeers, a.status]) !== before) this.dirty.add(a);
    return a;
  }

  /**
   * Re-checks the open anomalies of a prefix after the state changed. Route anomalies end when
   * few of their peak peers still carry (prefix, origin); visibility drops when peers return.
   */
  checkPrefix(prefix: string, state: RouteState, nowUs: number): Anomaly[] {
    if (!this.openByPrefix.has(prefix)) return [];
    const pid = state.prefixId(prefix);
    if (pid === undefined) return [];
    const out: Anomaly[] = [];
    for (const type of ['origin_change', 'more_specific', 'visibility_drop'] as const) {
      for (const a of this.openFor(type, prefix)) {
        let cleared: boolean;
        if (ROUTE_TYPES.has(type)) {
          const remaining = state.peersWithOrigin(pid, a.originAsn);
          cleared = remaining <= Math.floor(this.config.lifecycle.resolveRemainingFraction * a.peakPeers);
        } else {
          const peak = Number(a.evidence.details.peakPeers ?? 0);
          const median = Number(a.evidence.details.baselineMedianPeers ?? 0);
          cleared = state.visiblePeers(pid) > this.config.visibilityDrop.fraction * Math.min(peak, median);
        }
        if (cleared) out.push(this.resolve(a, nowUs));
      }
    }
    return out;
  }

  /** Ends burst-type anomalies that had no evidence for the quiet period, and forgets old resolved ones. */
  sweep(nowUs: number): Anomaly[] {
    const quietUs = this.config.lifecycle.quietSeconds * 1e6;
    const out: Anomaly[] = [];
    for (const a of this.open.values()) {
      if ((a.type === 'mass_withdrawal' || a.type === 'path_deviation') && nowUs - a.lastSeenUs > quietUs) out.push(this.resolve(a, a.lastSeenUs));
    }
    const keepUs = 2 * this.config.lifecycle.bucketSeconds * 1e6 + quietUs;
    for (const [k, a] of this.known) if (a.endedAtUs !== null && nowUs - a.endedAtUs > keepUs) this.known.delete(k);
    return out;
  }

  /** Anomalies opened or changed since the last drain (what to upsert and push). */
  drainChanged(): Anomaly[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  openAnomalies(): Anomaly[] {
    return [...this.open.values()];
  }

  private openFor(type: AnomalyType, prefix: string): Anomaly[] {
    const set = this.openByPrefix.get(prefix);
    return set ? [...set].filter((a) => a.type === type) : [];
  }

  private setOpen(identity: string, a: Anomaly): void {
    this.open.set(identity, a);
    if (a.prefix === null) return;
    let set = this.openByPrefix.get(a.prefix);
    if (!set) this.openByPrefix.set(a.prefix, (set = new Set()));
    set.add(a);
  }

  private resolve(a: Anomaly, atUs: number): Anomaly {
    a.status = 'resolved';
    a.endedAtUs = Math.max(atUs, a.startedAtUs);
    this.open.delete(`${a.type}|${a.entityKey}`);
    if (a.prefix !== null) {
      const set = this.openByPrefix.get(a.prefix);
      set?.delete(a);
      if (set?.size === 0) this.openByPrefix.delete(a.prefix);
    }
    this.dirty.add(a);
    return a;
  }
}
