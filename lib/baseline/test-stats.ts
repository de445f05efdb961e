// Builders of hour rows for the baseline unit tests and the benchmark (pure).

import type { PrefixHourStats } from '@/lib/baseline/types';

export function hourStats(over: Partial<PrefixHourStats> & Pick<PrefixHourStats, 'hour' | 'prefix'>): PrefixHourStats {
  return {
    announcements: 0,
    withdrawals: 0,
    peers: 0,
    collectors: [],
    origins: [],
    originCounts: [],
    linkFrom: [],
    linkTo: [],
    linkCounts: [],
    pathKeys: [],
    pathCounts: [],
    pathLengths: [],
    pathLengthCounts: [],
    ...over,
  };
}
