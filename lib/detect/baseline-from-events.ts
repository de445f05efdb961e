// An in-memory baseline from a list of events (pure): the same hour rows the SQL aggregation
// writes (lib/db/baselines.ts), folded by the baseline module's own accumulator and encoder into
// a BaselineCache. For scenario tests and benchmarks that must not need PostgreSQL.

import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineCache, type BaselineRow, type BaselineSource } from '@/lib/baseline/cache';
import { encodeBaseline } from '@/lib/baseline/codec';
import { pathKey } from '@/lib/baseline/path-key';
import { BASELINE_WINDOWS, type PrefixHourStats } from '@/lib/baseline/types';
import type { BgpEvent } from '@/lib/bgp/types';

const HOUR_US = 3_600_000_000;

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

interface HourAcc {
  ann: number;
  wd: number;
  peers: Set<string>;
  collectors: Set<string>;
  origins: Map<number, number>;
  links: Map<string, number>;
  paths: Map<number, number>;
  lengths: Map<number, number>;
}

/** Hour rows per (hour, prefix), counted as the SQL aggregation counts them. */
export function hourStatsFromEvents(events: Iterable<BgpEvent>): PrefixHourStats[] {
  const rows = new Map<string, HourAcc & { hour: number; prefix: string }>();
  for (const e of events) {
    const hour = Math.floor(e.timestampUs / HOUR_US);
    const key = `${hour}|${e.prefix}`;
    let r = rows.get(key);
    if (!r) {
      r = { hour, prefix: e.prefix, ann: 0, wd: 0, peers: new Set(), collectors: new Set(), origins: new Map(), links: new Map(), paths: new Map(), lengths: new Map() };
      rows.set(key, r);
    }
    if (e.eventType === 'withdrawal') {
      r.wd++;
      continue;
    }
    r.ann++;
    r.peers.add(`${e.collector}|${e.peerIp}`);
    r.collectors.add(e.collector);
    if (e.originAsn !== null) bump(r.origins, e.originAsn);
    bump(r.paths, pathKey(e.asPath));
    bump(r.lengths, e.asPathLength);
    for (let i = 0; i + 1 < e.asPath.length; i++) {
      const a = e.asPath[i]!;
      const b = e.asPath[i + 1]!;
      // Prepending and AS_SET members are not adjacencies.
      if (a === b || e.asPathSetMask?.[i] || e.asPathSetMask?.[i + 1]) continue;
      bump(r.links, `${a},${b}`);
    }
  }
  return [...rows.values()].map((r) => {
    const links = [...r.links].map(([k, n]) => [...k.split(',').map(Number), n] as [number, number, number]);
    return {
      hour: r.hour,
      prefix: r.prefix,
      announcements: r.ann,
      withdrawals: r.wd,
      peers: r.peers.size,
      collectors: [...r.collectors].sort(),
      origins: [...r.origins.keys()],
      originCounts: [...r.origins.values()],
      linkFrom: links.map((l) => l[0]),
      linkTo: links.map((l) => l[1]),
      linkCounts: links.map((l) => l[2]),
      pathKeys: [...r.paths.keys()],
      pathCounts: [...r.paths.values()],
      pathLengths: [...r.lengths.keys()],
      pathLengthCounts: [...r.lengths.values()],
    };
  });
}

/** A BaselineCache whose three windows all hold the given events (and their AS link hints). */
export async function baselineCacheFromEvents(events: Iterable<BgpEvent>): Promise<BaselineCache> {
  const stats = hourStatsFromEvents(events);
  const accs = new Map<string, BaselineAccumulator>();
  const hints = new Map<string, number>();
  const hours = new Set<number>();
  for (const h of stats) {
    let acc = accs.get(h.prefix);
    if (!acc) accs.set(h.prefix, (acc = new BaselineAccumulator()));
    acc.apply(h, 1);
    hours.add(h.hour);
    h.linkFrom.forEach((f, i) => bump(hints, `${f},${h.linkTo[i]}`, h.linkCounts[i] ?? 0));
  }
  const rows: BaselineRow[] = [];
  let seq = 0;
  for (const [prefix, acc] of accs) {
    const state = encodeBaseline(acc);
    for (const window of BASELINE_WINDOWS) rows.push({ window, prefix, state, seq: ++seq });
  }
  const covered = hours.size;
  const source: BaselineSource = {
    getMeta: async () => ({ asOfHour: Math.max(0, ...hours), purgedSeq: 0, hoursCovered: { '24h': covered, '7d': covered, '30d': covered } }),
    listChanges: async (after, limit) => rows.slice(after, after + limit), // seq = index + 1
    listLinkHints: async () => [...hints].map(([k, count]) => {
      const [from, to] = k.split(',').map(Number) as [number, number];
      return { from, to, count };
    }),
  };
  const cache = new BaselineCache();
  await cache.refresh(source);
  return cache;
}
