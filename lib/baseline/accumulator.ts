// Rolling sums of one prefix over one window (pure): hour rows are added when they enter the
// window and subtracted when they leave or are recomputed. Everything kept is a sum, so
// subtraction is exact and the window never needs a rescan.

import type { BaselineView } from '@/lib/baseline/codec';
import { bucketOf } from '@/lib/baseline/histogram';
import type { PrefixHourStats } from '@/lib/baseline/types';

export type Sign = 1 | -1;

/** Map key of an adjacent AS pair. */
export const linkKey = (from: number, to: number): string => `${from},${to}`;

export function parseLinkKey(key: string): [number, number] {
  const i = key.indexOf(',');
  return [Number(key.slice(0, i)), Number(key.slice(i + 1))];
}

function bump<K>(map: Map<K, number>, key: K, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key); // a count that reaches 0 has left the window
}

export class BaselineAccumulator {
  /** Hours of the window with a row for the prefix. */
  hoursSeen = 0;
  annSum = 0;
  /** Sums of squares of the per-hour counts: the variance without keeping every hour. */
  annSq = 0;
  wdSum = 0;
  wdSq = 0;
  updSq = 0;
  peersSum = 0;
  collSum = 0;
  readonly origins = new Map<number, number>();
  readonly links = new Map<string, number>();
  readonly paths = new Map<number, number>();
  readonly lengths = new Map<number, number>();
  /** Histogram buckets (lib/baseline/histogram.ts) of peers / collectors per hour seen. */
  readonly peerHist = new Map<number, number>();
  readonly collHist = new Map<number, number>();

  /** Adds (sign 1) or removes (sign -1) one hour row of this prefix. */
  apply(h: PrefixHourStats, sign: Sign): void {
    const upd = h.announcements + h.withdrawals;
    this.hoursSeen += sign;
    this.annSum += sign * h.announcements;
    this.annSq += sign * h.announcements * h.announcements;
    this.wdSum += sign * h.withdrawals;
    this.wdSq += sign * h.withdrawals * h.withdrawals;
    this.updSq += sign * upd * upd;
    this.peersSum += sign * h.peers;
    this.collSum += sign * h.collectors.length;
    h.origins.forEach((asn, i) => bump(this.origins, asn, sign * (h.originCounts[i] ?? 0)));
    h.linkFrom.forEach((from, i) => bump(this.links, linkKey(from, h.linkTo[i] ?? 0), sign * (h.linkCounts[i] ?? 0)));
    h.pathKeys.forEach((key, i) => bump(this.paths, key, sign * (h.pathCounts[i] ?? 0)));
    h.pathLengths.forEach((len, i) => bump(this.lengths, len, sign * (h.pathLengthCounts[i] ?? 0)));
    bump(this.peerHist, bucketOf(h.peers), sign);
    bump(this.collHist, bucketOf(h.collectors.length), sign);
  }

  /**
   * Adds (1) or removes (-1) packed sums of several hours (a day row, lib/db/baselines.ts), the
   * same as applying each of their hours: every field is a sum.
   */
  applyState(v: BaselineView, sign: Sign): void {
    this.hoursSeen += sign * v.hoursSeen;
    this.annSum += sign * v.announcements;
    this.annSq += sign * v.announcementsSq;
    this.wdSum += sign * v.withdrawals;
    this.wdSq += sign * v.withdrawalsSq;
    this.updSq += sign * v.updatesSq;
    this.peersSum += sign * v.peersSum;
    this.collSum += sign * v.collectorsSum;
    for (const [k, n] of v.origins()) bump(this.origins, k, sign * n);
    for (const l of v.links()) bump(this.links, linkKey(l.from, l.to), sign * l.count);
    for (const [k, n] of v.paths()) bump(this.paths, k, sign * n);
    for (const [k, n] of v.pathLengths()) bump(this.lengths, k, sign * n);
    for (const [k, n] of v.peerHistogram()) bump(this.peerHist, k, sign * n);
    for (const [k, n] of v.collectorHistogram()) bump(this.collHist, k, sign * n);
  }

  /**
   * Keeps the `limits` most counted origins, links and paths (ties: smaller key first) and
   * returns the counts dropped from each: what a bounded day row reports as "other".
   */
  trim(limits: TrimLimits): TrimmedCounts {
    return {
      origins: keepTop(this.origins, limits.origins, (a, b) => a - b),
      links: keepTop(this.links, limits.links, (a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      paths: keepTop(this.paths, limits.paths, (a, b) => a - b),
    };
  }

  /** Nothing of the prefix left in the window. */
  isEmpty(): boolean {
    return this.hoursSeen <= 0;
  }
}

export interface TrimLimits {
  origins: number;
  links: number;
  paths: number;
}

export interface TrimmedCounts {
  origins: number;
  links: number;
  paths: number;
}

function keepTop<K>(map: Map<K, number>, limit: number, keyOrder: (a: K, b: K) => number): number {
  if (map.size <= limit) return 0;
  const sorted = [...map.entries()].sort((a, b) => b[1] - a[1] || keyOrder(a[0], b[0]));
  let dropped = 0;
  for (const [k, n] of sorted.slice(limit)) {
    dropped += n;
    map.delete(k);
  }
  return dropped;
}
