// Builders of normalized events for the detection unit tests (pure).

import type { BgpEvent } from '@/lib/bgp/types';

export const T0 = Date.UTC(2026, 0, 1, 12) * 1000;
export const sec = (s: number): number => T0 + s * 1_000_000;

export interface EvInput {
  prefix: string;
  peer?: number;
  collector?: string;
  path?: number[];
  /** Indices of path members that belong to a trailing AS_SET. */
  setTail?: number;
  at?: number;
  withdraw?: boolean;
}

/** Peer n → "rrc0{n % 4}" at 192.0.2.n (or a v6 documentation address for v6 prefixes), AS 64500 + n. */
export function ev(i: EvInput): BgpEvent {
  const peer = i.peer ?? 1;
  const path = i.withdraw ? [] : (i.path ?? [64500 + peer, 3356, 15169]);
  const setTail = i.setTail ?? 0;
  const mask = setTail > 0 ? path.map((_, k) => k >= path.length - setTail) : null;
  const origin = i.withdraw || path.length === 0 ? null : setTail > 1 ? null : path[path.length - 1]!;
  const v6 = i.prefix.includes(':');
  return {
    source: 'ris_live_bgp',
    collector: i.collector ?? `rrc0${peer % 4}`,
    peerAsn: 64500 + peer,
    peerIp: v6 ? `2001:db8::${peer.toString(16)}` : `192.0.2.${peer}`,
    eventType: i.withdraw ? 'withdrawal' : 'announcement',
    prefix: i.prefix,
    prefixLength: Number(i.prefix.split('/')[1]),
    originAsn: origin,
    asPath: path,
    asPathSetMask: mask,
    asPathLength: setTail > 0 ? path.length - setTail + 1 : path.length,
    communities: [],
    nextHop: null,
    med: null,
    localPref: null,
    originAttribute: i.withdraw ? null : 'igp',
    aggregator: null,
    timestampUs: i.at ?? T0,
    rawMessage: null,
    dedupKey: '0',
  };
}

/** The same route from peers 1..n. */
export function fromPeers(n: number, i: Omit<EvInput, 'peer'>, firstPeer = 1): BgpEvent[] {
  return Array.from({ length: n }, (_, k) => ev({ ...i, peer: firstPeer + k, path: i.path ? [64500 + firstPeer + k, ...i.path] : undefined, at: (i.at ?? T0) + k }));
}

import { baselineCacheFromEvents } from '@/lib/detect/baseline-from-events';
import { DEFAULT_DETECTION_CONFIG, parseDetectionConfig, type DetectionConfigInput } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import type { Rule } from '@/lib/detect/rules/index';
import type { AnomalyCandidate, WatchList } from '@/lib/detect/types';
import { WatchIndex } from '@/lib/detect/watch';

/** Runs one rule: baseline from `baseline` events (an hour earlier), state warmed with `warm`, candidates of `events`. */
export async function detectWith(
  rule: Rule,
  t: { baseline: BgpEvent[]; warm?: BgpEvent[]; events: BgpEvent[]; config?: DetectionConfigInput; watch?: WatchList },
): Promise<AnomalyCandidate[]> {
  const baselines = await baselineCacheFromEvents(t.baseline.map((e) => ({ ...e, timestampUs: e.timestampUs - 3_600_000_000 })));
  const config = t.config ? parseDetectionConfig(t.config) : DEFAULT_DETECTION_CONFIG;
  const d = new Detector(baselines, config, { rules: [rule], watch: new WatchIndex(t.watch) });
  d.processBatch(t.warm ?? []);
  const out: AnomalyCandidate[] = [];
  d.processBatch(t.events, (c) => out.push(c));
  return out;
}
