// Pure planning: local paths → dump files (collector and type from the archive naming), archive
// requests → broker queries, ingest gaps → archive requests.

import path from 'node:path';
import type { BackfillRequest, DumpFile, DumpType } from '@/lib/backfill/types';
import type { BrokerQuery } from '@/lib/sources/bgpstream/broker-query';

/**
 * What a local file's path says about it. Recognised: RIS archive layout
 * (`…/rrc06/2015.04/updates.20150401.0000.gz`, `bview.*`), libbgpstream test names
 * (`ris.rrc06.updates.1427846400.gz`, `routeviews.route-views.jinx.updates.1427846400.bz2`),
 * RouteViews layout (`…/route-views.linx/bgpdata/…/RIBS/rib.*`).
 */
export function dumpFileForPath(filePath: string, collectorOverride?: string): DumpFile {
  const base = path.basename(filePath);
  const parts = filePath.split(/[\\/]/);
  let project: string | null = null;
  let collector: string | null = null;
  let initialTime: number | null = null;
  const bs = /^(ris|routeviews)\.(.+)\.(updates|ribs)\.(\d{9,11})\./.exec(base);
  if (bs) {
    project = bs[1]!;
    collector = bs[2]!;
    initialTime = Number(bs[4]);
  } else {
    const rrc = parts.find((p) => /^rrc\d{2}$/.test(p));
    const rv = parts.find((p) => /^route-views/.test(p));
    if (rrc) [project, collector] = ['ris', rrc];
    else if (rv) [project, collector] = ['routeviews', rv];
    const stamp = /\.(\d{8})\.(\d{4})\./.exec(base);
    if (stamp) {
      const [d, t] = [stamp[1]!, stamp[2]!];
      const ms = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)), Number(t.slice(0, 2)), Number(t.slice(2, 4)));
      if (Number.isFinite(ms)) initialTime = ms / 1000;
    }
  }
  const dumpType: DumpType | 'unknown' = /(^|\.)(updates)(\.|$)/.test(base) ? 'updates' : /^(bview|rib)\b|\.ribs\./.test(base) ? 'ribs' : 'unknown';
  return {
    location: path.resolve(filePath),
    project,
    collector: collectorOverride ?? collector ?? 'local',
    dumpType,
    initialTime,
    duration: null,
  };
}

export function brokerQueryFor(req: Extract<BackfillRequest, { kind: 'archive' }>): BrokerQuery {
  return { from: req.from, to: req.to, projects: req.projects, collectors: req.collectors, types: [req.type] };
}

export interface GapInterval {
  id: string;
  fromUs: number;
  toUs: number;
  endedAtMs: number;
}

/**
 * The archive request that fills a gap: its event-time interval widened by `marginSeconds` on
 * both sides (whole seconds, as archive files are), from the RIS update dumps of `collectors`
 * (empty: all RIS collectors).
 */
export function gapBackfillRequest(gap: GapInterval, o: { marginSeconds: number; collectors: string[] }): Extract<BackfillRequest, { kind: 'archive' }> {
  return {
    kind: 'archive',
    from: Math.floor(gap.fromUs / 1_000_000) - o.marginSeconds,
    to: Math.ceil(gap.toUs / 1_000_000) + o.marginSeconds,
    collectors: o.collectors,
    projects: ['ris'],
    type: 'updates',
    gapId: gap.id,
  };
}

/** Archive files appear minutes after their interval: ask only once `publishDelaySeconds` have passed since the gap ended. */
export function gapIsReady(gap: GapInterval, nowMs: number, publishDelaySeconds: number): boolean {
  return nowMs >= gap.endedAtMs + publishDelaySeconds * 1000;
}

/**
 * The RIS collectors the live feed subscribes to, from RIS_SUBSCRIBE (one object or an array):
 * the `host` of each subscription; [] (= all) as soon as one subscription has no host.
 */
export function collectorsFromSubscribe(risSubscribe: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(risSubscribe);
  } catch {
    return [];
  }
  const subs = Array.isArray(parsed) ? parsed : [parsed];
  const hosts = new Set<string>();
  for (const s of subs) {
    const host = (s as { host?: unknown } | null)?.host;
    if (typeof host !== 'string' || host === '') return [];
    hosts.add(host.toLowerCase().replace(/\.ripe\.net$/, ''));
  }
  return [...hosts].sort();
}
