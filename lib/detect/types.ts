// Types of the detection layer shared by the rules, the lifecycle, the database adapter
// (lib/db/anomalies.ts), and later the workers, the API and the UI (issue 5).

import type { BaselineView } from '@/lib/baseline/codec';
import type { BaselineWindow } from '@/lib/baseline/types';

export const ANOMALY_TYPES = ['origin_change', 'more_specific', 'mass_withdrawal', 'path_deviation', 'visibility_drop', 'rpki_invalid'] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

/** Most severe first; the order is the rank used for bumps and merges. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ANOMALY_STATUSES = ['ongoing', 'resolved', 'withdrawn', 'acknowledged', 'ignored'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];

/** One peer's sighting: who saw what, when. */
export interface Sighting {
  collector: string;
  peerIp: string;
  peerAsn: number;
  /** Event time, µs since the epoch. */
  atUs: number;
  /** The AS path as the peer sent it (empty for withdrawals). */
  asPath: number[];
}

/** What a rule found, with the evidence behind it. Times are event time in µs. */
export interface AnomalyCandidate {
  type: AnomalyType;
  /** What the anomaly is about, stable across evidence: "<prefix>|<origin>", "AS<n>", … */
  entityKey: string;
  prefix: string | null;
  /** The expected (baseline) origin(s), most common first. */
  baselineOrigins: number[];
  /** The origin the anomaly is about (the new one for origin_change / more_specific), null when none or undetermined. */
  originAsn: number | null;
  startedAtUs: number;
  /** 0..1: grows with independent peers and collectors, falls for benign patterns. */
  confidence: number;
  severity: Severity;
  summary: string;
  evidence: AnomalyEvidence;
  /** Watch-list match: ranks first. */
  watched: boolean;
}

export interface AnomalyEvidence {
  /** Distinct "collector peerIp ASn" that showed it (bounded by the config). */
  peers: string[];
  collectors: string[];
  /** A few sightings with their paths. */
  samples: Sighting[];
  /** Rule-specific numbers (counts, thresholds, baseline figures), plain JSON. */
  details: Record<string, number | string | boolean | number[] | string[] | null>;
  /** Heuristic findings are labelled as such (valley-free inference). */
  heuristic?: boolean;
}

/** An anomaly as the lifecycle and the database keep it. */
export interface Anomaly extends AnomalyCandidate {
  /** type | entityKey | start bucket: the idempotence key (bgp_anomalies.dedup_key). */
  dedupKey: string;
  status: AnomalyStatus;
  endedAtUs: number | null;
  /** Event time of the newest evidence. */
  lastSeenUs: number;
  /** Most peers that carried it at once (resolution compares against this). */
  peakPeers: number;
}

/** A stored anomaly (row of bgp_anomalies). */
export interface StoredAnomaly extends Anomaly {
  id: string;
  source: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface AnomalyFilter {
  severity?: Severity[];
  anomalyType?: AnomalyType[];
  status?: AnomalyStatus[];
  /** Exact prefix, or with prefixMatch 'more_specific' everything inside it. */
  prefix?: string;
  prefixMatch?: 'exact' | 'more_specific';
  originAsn?: number;
  /** Only watch-list matches (true) or only the others (false). */
  watched?: boolean;
  timeFromUs?: number;
  timeToUs?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

/** One watched resource, BGPalerter style. */
export interface WatchedPrefix {
  prefix: string;
  description?: string;
  /** Origins allowed to announce the prefix (and its more-specifics). */
  allowedOrigins: number[];
  /** ASes allowed as the first hop before the origin. Empty: any. */
  allowedUpstreams: number[];
  /** The operator announces more-specifics itself: no more_specific alerts under it. */
  ignoreMoreSpecifics: boolean;
}

export interface WatchList {
  prefixes: WatchedPrefix[];
  /** Own ASNs: withdrawals of their prefixes and paths through them rank first. */
  asns: number[];
}

/** What the rules read from the baselines (lib/baseline/cache.ts BaselineCache fits it). */
export interface BaselineLookup {
  getBaseline(prefix: string, window: BaselineWindow): BaselineView | undefined;
  linkHint(from: number, to: number, window?: BaselineWindow): number;
}
