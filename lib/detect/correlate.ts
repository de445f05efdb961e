// Correlation (pure): anomalies that share an origin, a prefix tree or an AS and overlap in event
// time become one incident with a sentence a human can read (a leak's hundreds of path
// deviations, a hijacker's many prefixes, an outage's withdrawals and visibility drops).
//
// Each anomaly gets link keys: o:<asn> for its origin and baseline origins, p:<prefix> for its
// prefix, the covering prefix it was found under and its /16 (IPv4) or /32 (IPv6) root (a cheap
// stand-in for "same prefix tree" that also groups close siblings), a:<asn> for the AS a path
// finding names. Per key, anomalies sorted by time are joined when they lie within the gap;
// union-find merges the rest. O(n log n), no pairwise comparison.

import { coveringPrefixes } from '@/lib/bgp/prefix';
import type { Anomaly, AnomalyType, Severity } from '@/lib/detect/types';
import { SEVERITIES } from '@/lib/detect/types';

export interface Incident {
  /** The dedup key of its earliest anomaly: stable as the incident grows. */
  id: string;
  anomalies: string[];
  types: Partial<Record<AnomalyType, number>>;
  severity: Severity;
  startedAtUs: number;
  /** null while any member is ongoing. */
  endedAtUs: number | null;
  prefixes: string[];
  origins: number[];
  /** What links the members: the most shared key, as text ("origin AS17557", "prefix tree 208.65.0.0/16", "AS65010"). */
  sharedBy: string;
  summary: string;
}

export interface CorrelateOptions {
  /** Anomalies on one key further apart than this (event time) are not joined. */
  gapSeconds?: number;
  /** Prefixes listed per incident. */
  maxPrefixes?: number;
}

const TYPE_TEXT: Record<AnomalyType, string> = {
  origin_change: 'origin change',
  more_specific: 'more-specific',
  mass_withdrawal: 'mass withdrawal',
  path_deviation: 'path deviation',
  visibility_drop: 'visibility drop',
  rpki_invalid: 'RPKI-invalid route',
};

function treeRoot(prefix: string): string | undefined {
  const all = coveringPrefixes(prefix);
  const root = prefix.includes(':') ? 32 : 16;
  return all[all.length - 1 - root];
}

export function linkKeys(a: Anomaly): string[] {
  const keys = new Set<string>();
  if (a.originAsn !== null) keys.add(`o:${a.originAsn}`);
  for (const o of a.baselineOrigins) keys.add(`o:${o}`);
  if (a.prefix) {
    keys.add(`p:${a.prefix}`);
    const root = treeRoot(a.prefix);
    if (root) keys.add(`p:${root}`);
  }
  const cover = a.evidence.details.covering;
  if (typeof cover === 'string') keys.add(`p:${cover}`);
  const path = /(?:transit AS(\d+))|(?:valley AS\d+-AS(\d+)-AS\d+)/.exec(a.entityKey);
  if (path) keys.add(`a:${path[1] ?? path[2]}`);
  return [...keys];
}

const describeKey = (k: string) => (k.startsWith('o:') ? `origin AS${k.slice(2)}` : k.startsWith('a:') ? `AS${k.slice(2)} on their paths` : `prefix tree ${k.slice(2)}`);
const endOf = (a: Anomaly) => a.endedAtUs ?? a.lastSeenUs;
const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('.000Z', 'Z');

export function correlate(anomalies: readonly Anomaly[], opts: CorrelateOptions = {}): Incident[] {
  const gapUs = (opts.gapSeconds ?? 1800) * 1e6;
  const parent = anomalies.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const byKey = new Map<string, number[]>();
  const keysOf = anomalies.map(linkKeys);
  keysOf.forEach((ks, i) => ks.forEach((k) => (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i)));
  for (const idx of byKey.values()) {
    idx.sort((x, y) => anomalies[x]!.startedAtUs - anomalies[y]!.startedAtUs);
    let reach = -Infinity;
    let prev = -1;
    for (const i of idx) {
      const a = anomalies[i]!;
      if (prev >= 0 && a.startedAtUs - reach <= gapUs) parent[find(i)] = find(prev);
      reach = Math.max(reach, endOf(a));
      prev = i;
    }
  }
  const groups = new Map<number, number[]>();
  anomalies.forEach((_, i) => (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(i));
  return [...groups.values()].map((idx) => incidentOf(idx.map((i) => anomalies[i]!), idx.map((i) => keysOf[i]!), opts.maxPrefixes ?? 20)).sort((a, b) => a.startedAtUs - b.startedAtUs);
}

function incidentOf(members: Anomaly[], keys: string[][], maxPrefixes: number): Incident {
  members.sort((a, b) => a.startedAtUs - b.startedAtUs);
  const types: Partial<Record<AnomalyType, number>> = {};
  for (const a of members) types[a.type] = (types[a.type] ?? 0) + 1;
  const severity = SEVERITIES[Math.min(...members.map((a) => SEVERITIES.indexOf(a.severity)))]!;
  const keyCount = new Map<string, number>();
  for (const ks of keys) for (const k of ks) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
  const top = [...keyCount].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const prefixes = [...new Set(members.flatMap((a) => (a.prefix ? [a.prefix] : [])))];
  const origins = [...new Set(members.flatMap((a) => (a.originAsn !== null ? [a.originAsn] : [])))].sort((a, b) => a - b);
  const ongoing = members.some((a) => a.endedAtUs === null);
  const startedAtUs = members[0]!.startedAtUs;
  const endedAtUs = ongoing ? null : Math.max(...members.map(endOf));
  const sharedBy = members.length > 1 && top ? describeKey(top[0]) : 'a single anomaly';
  const worst = members.find((a) => a.severity === severity)!;
  const counts = Object.entries(types).map(([t, n]) => `${n} ${TYPE_TEXT[t as AnomalyType]}${n > 1 ? 's' : ''}`).join(', ');
  const when = `from ${iso(startedAtUs)}${endedAtUs === null ? ', ongoing' : ` to ${iso(endedAtUs)}`}`;
  const summary =
    members.length === 1
      ? `${worst.summary} (${severity}, ${when})`
      : `${counts} sharing ${sharedBy}, across ${prefixes.length} prefix${prefixes.length === 1 ? '' : 'es'}, ${when}; most severe (${severity}): ${worst.summary}`;
  return {
    id: members[0]!.dedupKey,
    anomalies: members.map((a) => a.dedupKey),
    types,
    severity,
    startedAtUs,
    endedAtUs,
    prefixes: prefixes.slice(0, maxPrefixes),
    origins,
    sharedBy,
    summary,
  };
}
