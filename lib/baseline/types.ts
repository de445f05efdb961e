// Types of the baselines shared by the aggregation job, the run-time cache (detectors) and the API.

/** The three baseline windows and their length in event-time hours. */
export const BASELINE_WINDOWS = ['24h', '7d', '30d'] as const;
export type BaselineWindow = (typeof BASELINE_WINDOWS)[number];

export const WINDOW_HOURS: Readonly<Record<BaselineWindow, number>> = { '24h': 24, '7d': 168, '30d': 720 };

export function windowFromHours(hours: number): BaselineWindow | undefined {
  return BASELINE_WINDOWS.find((w) => WINDOW_HOURS[w] === hours);
}

/**
 * What one event-time hour of bgp_events says about one prefix (a row of prefix_hour_stats).
 * Origins, paths and links count announcements; (value, count) pairs are parallel arrays.
 */
export interface PrefixHourStats {
  /** Whole hours since the epoch. */
  hour: number;
  prefix: string;
  announcements: number;
  withdrawals: number;
  /** Distinct (collector, peer address) that announced the prefix in the hour. */
  peers: number;
  /** Distinct collectors that announced it. */
  collectors: string[];
  origins: number[];
  originCounts: number[];
  /** Adjacent AS pairs (linkFrom[i] next to linkTo[i], collector side first), prepending and AS_SET members left out. */
  linkFrom: number[];
  linkTo: number[];
  linkCounts: number[];
  /** lib/baseline/path-key.ts of each distinct path (prepending collapsed). */
  pathKeys: number[];
  pathCounts: number[];
  /** as_path_length (BGP's count: AS_SET = 1) of announcements. */
  pathLengths: number[];
  pathLengthCounts: number[];
}

/** Mean and standard deviation of a count per hour over the hours a window covers. */
export interface HourlyRate {
  mean: number;
  stddev: number;
}

/** A distribution summarized; median and max are exact up to 16, then within 12.5 % (log buckets). */
export interface CountDistribution {
  median: number;
  max: number;
  mean: number;
}

/** A baseline in plain data: what the API serves and what tests compare. */
export interface BaselineSummary {
  window: BaselineWindow;
  /** Newest hour in the window (whole hours since the epoch); the window is (asOfHour - hours, asOfHour]. */
  asOfHour: number;
  /** Aggregated hours inside the window (the denominator of the rates). */
  hoursCovered: number;
  /** Hours in the window with at least one update of this prefix. */
  hoursSeen: number;
  announcements: number;
  withdrawals: number;
  origins: { asn: number; count: number; share: number }[];
  links: { from: number; to: number; count: number }[];
  paths: { key: number; count: number }[];
  pathLengths: { length: number; count: number }[];
  /** Peers / collectors that announced the prefix, per hour in which it had updates. */
  visibility: { peers: CountDistribution; collectors: CountDistribution };
  rates: { announcements: HourlyRate; withdrawals: HourlyRate; updates: HourlyRate };
}
