// Pure parts of the broker client: the request URL (parameter names as libbgpstream sends them)
// and the paging rule that works around the broker's silent cap on how much one answer covers.

import type { DumpFile, DumpType } from '@/lib/backfill/types';
import type { BrokerResource } from '@/lib/sources/bgpstream/broker-schema';

export interface BrokerQuery {
  /** Unix seconds, inclusive. */
  from: number;
  to: number;
  projects: readonly string[];
  collectors: readonly string[];
  types: readonly DumpType[];
}

/** `<base>/data?projects[]=…&collectors[]=…&types[]=…&intervals[]=from,to`. */
export function brokerDataUrl(baseUrl: string, q: BrokerQuery): string {
  const base = baseUrl.replace(/\/+$/, '');
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeURIComponent(v)}`);
  for (const p of q.projects) add('projects[]', p);
  for (const c of q.collectors) add('collectors[]', c);
  for (const t of q.types) add('types[]', t);
  // The comma is kept literal: the broker splits the interval on it.
  parts.push(`intervals[]=${Math.floor(q.from)},${Math.floor(q.to)}`);
  return `${base}/data?${parts.join('&')}`;
}

/** A file overlaps [from, to] when any of its seconds does (a RIB has duration 0 or small). */
export function overlaps(r: Pick<BrokerResource, 'initialTime' | 'duration'>, from: number, to: number): boolean {
  return r.initialTime <= to && r.initialTime + Math.max(r.duration, 0) >= from;
}

/**
 * Where the next page starts, or null when the interval is covered. The broker answers a window
 * [cursor, to] with a prefix of it (capped silently: ~2 h of files at CAIDA, ~500 files
 * elsewhere) plus the file preceding the window. The next page asks again from the latest
 * initialTime seen, not past it: the cap may have cut the files of several collectors that share
 * that initialTime, and repeats are removed by URL. If nothing starts after the cursor, the
 * answer was complete.
 */
export function nextPageStart(cursor: number, to: number, page: readonly Pick<BrokerResource, 'initialTime'>[]): number | null {
  let latest = -Infinity;
  for (const r of page) if (r.initialTime > latest) latest = r.initialTime;
  if (!(latest > cursor)) return null;
  if (latest > to) return null;
  return latest;
}

export function resourceToDumpFile(r: BrokerResource): DumpFile {
  return {
    location: r.url,
    project: r.project,
    collector: r.collector,
    dumpType: r.type === 'ribs' || r.type === 'updates' ? r.type : 'unknown',
    initialTime: r.initialTime,
    duration: r.duration,
  };
}
