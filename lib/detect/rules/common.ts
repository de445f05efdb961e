// What every rule shares (pure): its inputs, confidence from independent vantage points,
// severity bands and the watch-list bump, and evidence built from the route state.

import type { BgpEvent } from '@/lib/bgp/types';
import type { BaselineView } from '@/lib/baseline/codec';
import type { WindowMeta } from '@/lib/baseline/summary';
import type { BaselineWindow } from '@/lib/baseline/types';
import type { DetectionConfig } from '@/lib/detect/config';
import type { RouteChange, RouteState } from '@/lib/detect/route-state';
import type { AnomalyEvidence, BaselineLookup, Severity, Sighting } from '@/lib/detect/types';
import { SEVERITIES } from '@/lib/detect/types';
import type { WatchIndex } from '@/lib/detect/watch';
import type { RuleMemory } from '@/lib/detect/rules/memory';

/** Baselines as the rules need them; lib/baseline/cache.ts BaselineCache satisfies it. */
export interface RuleBaselines extends BaselineLookup {
  windowMeta(window: BaselineWindow): WindowMeta | undefined;
  /** Optional slot access (BaselineCache): the Detector maps its prefix ids to slots once per generation. */
  readonly generation?: number;
  slotOf?(prefix: string): number;
  getBaselineAt?(slot: number, window: BaselineWindow): BaselineView | undefined;
}

export interface RuleContext {
  baselines: RuleBaselines;
  state: RouteState;
  config: DetectionConfig;
  watch: WatchIndex;
  memory: RuleMemory;
}

/** One event after it was applied to the state. */
export interface RuleInput {
  event: BgpEvent;
  change: RouteChange;
}

/** 0..1 from distinct peers and collectors; each part saturates at its configured count. */
export function vantageConfidence(peers: number, collectors: number, cfg: DetectionConfig): number {
  const c = cfg.confidence;
  const p = Math.min(1, peers / c.peersForFull);
  const k = Math.min(1, collectors / c.collectorsForFull);
  return round3((1 - c.collectorWeight) * p + c.collectorWeight * k);
}

export const round3 = (x: number): number => Math.round(Math.max(0, Math.min(1, x)) * 1000) / 1000;

/** One band more severe (watched resources rank first). */
export function bumpSeverity(s: Severity, by = 1): Severity {
  return SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - by)]!;
}

export function moreSevere(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** Likely hijack: critical when confident, high when clear, low when weak. */
export function hijackSeverity(confidence: number, cfg: DetectionConfig): Severity {
  if (confidence < cfg.severity.lowConfidence) return 'low';
  return confidence >= cfg.severity.criticalConfidence ? 'critical' : 'high';
}

export const sighting = (e: BgpEvent): Sighting => ({ collector: e.collector, peerIp: e.peerIp, peerAsn: e.peerAsn, atUs: e.timestampUs, asPath: e.asPath });

export const peerLabel = (p: { collector: string; peerIp: string; peerAsn: number }): string => `${p.collector} ${p.peerIp} AS${p.peerAsn}`;

/** Evidence of the peers carrying (prefix, origin) now, with the triggering sighting. */
export function routeEvidence(ctx: RuleContext, input: RuleInput, origin: number | null, details: AnomalyEvidence['details']): AnomalyEvidence {
  const { state, config } = ctx;
  const ids = state.peerIdsOf(input.change.prefixId, origin, config.lifecycle.maxEvidencePeers);
  const peers = ids.map((id) => state.peer(id));
  return {
    peers: peers.map(peerLabel),
    collectors: [...new Set(peers.map((p) => p.collector))].sort(),
    samples: [sighting(input.event)],
    details,
  };
}

/** Origins with announcements in the baseline, most announced first. */
export function baselineOrigins(origins: ReadonlyMap<number, number>): number[] {
  return [...origins].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([asn]) => asn);
}

/** Hourly mean of a baseline sum, over the window's covered hours (quiet hours count as 0). */
export function hourlyMean(sum: number, hoursSeen: number, meta: WindowMeta | undefined): number {
  return sum / Math.max(1, meta?.hoursCovered ?? 0, hoursSeen);
}

/** The members of a trailing AS_SET (an undetermined origin), or [] when the path ends in a plain AS. */
export function trailingAsSet(e: BgpEvent): number[] {
  const mask = e.asPathSetMask;
  if (!mask || !mask[mask.length - 1]) return [];
  const out: number[] = [];
  for (let i = e.asPath.length - 1; i >= 0 && mask[i]; i--) out.unshift(e.asPath[i]!);
  return out;
}
