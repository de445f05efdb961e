// A packed baseline as plain data (pure): shares, rates and visibility derived from the sums.

import type { BaselineView } from '@/lib/baseline/codec';
import { histogramMedianMax } from '@/lib/baseline/histogram';
import type { BaselineSummary, BaselineWindow, CountDistribution, HourlyRate } from '@/lib/baseline/types';

export interface WindowMeta {
  window: BaselineWindow;
  asOfHour: number;
  hoursCovered: number;
}

/** Mean and (population) standard deviation per covered hour; hours without updates count as 0. */
export function hourlyRate(sum: number, sumSq: number, hours: number): HourlyRate {
  if (hours <= 0) return { mean: 0, stddev: 0 };
  const mean = sum / hours;
  return { mean, stddev: Math.sqrt(Math.max(0, sumSq / hours - mean * mean)) };
}

function distribution(hist: ReadonlyMap<number, number>, sum: number, hoursSeen: number): CountDistribution {
  return { ...histogramMedianMax(hist), mean: hoursSeen > 0 ? sum / hoursSeen : 0 };
}

export function summarizeBaseline(view: BaselineView, meta: WindowMeta): BaselineSummary {
  const originTotal = view.originCountTotal;
  // hoursCovered can lag behind hoursSeen only through inconsistent input; never divide by less.
  const hours = Math.max(meta.hoursCovered, view.hoursSeen);
  return {
    window: meta.window,
    asOfHour: meta.asOfHour,
    hoursCovered: meta.hoursCovered,
    hoursSeen: view.hoursSeen,
    announcements: view.announcements,
    withdrawals: view.withdrawals,
    origins: [...view.origins()]
      .map(([asn, count]) => ({ asn, count, share: originTotal > 0 ? count / originTotal : 0 }))
      .sort((a, b) => b.count - a.count || a.asn - b.asn),
    links: view.links().sort((a, b) => b.count - a.count || a.from - b.from || a.to - b.to),
    paths: [...view.paths()].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key - b.key),
    pathLengths: [...view.pathLengths()].map(([length, count]) => ({ length, count })).sort((a, b) => a.length - b.length),
    visibility: {
      peers: distribution(view.peerHistogram(), view.peersSum, view.hoursSeen),
      collectors: distribution(view.collectorHistogram(), view.collectorsSum, view.hoursSeen),
    },
    rates: {
      announcements: hourlyRate(view.announcements, view.announcementsSq, hours),
      withdrawals: hourlyRate(view.withdrawals, view.withdrawalsSq, hours),
      updates: hourlyRate(view.announcements + view.withdrawals, view.updatesSq, hours),
    },
  };
}
