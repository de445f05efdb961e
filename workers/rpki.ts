// The worker's RPKI service: VRP sources (RTR / JSON, persisted last good sets) → VRP index →
// validation of every ingested route through the observeRpki hook, a table of the announced
// (prefix, origin) pairs re-validated in the background when the VRP set changes, rpki_invalid
// anomalies, and a summary published for the API every few seconds.

import type { BgpEvent } from '@/lib/bgp/types';
import { resolveAnomalies } from '@/lib/db/anomalies';
import { anomalyPushRedis, withAnomalyPush } from '@/workers/detect-push';
import { createRpkiDbStore, saveRpkiState, upsertRpkiAnomalies } from '@/lib/db/rpki';
import type { Env } from '@/lib/env';
import type { Logger } from '@/lib/log';
import { buildAspaTable, verifyUpstream, type AspaTable } from '@/lib/rpki/aspa';
import { anomaliesFromChanges, anomaliesFromNewRoutes, resolvedDedupKeys, WatchList, type RpkiAnomaly } from '@/lib/rpki/anomalies';
import { setRpkiIndexProvider, setRpkiObserver } from '@/lib/rpki/observer';
import { revalidateInSlices } from '@/lib/rpki/revalidate';
import { RouteTable } from '@/lib/rpki/route-table';
import { parseRtrList, RpkiSourceManager, splitList, type IndexUpdate } from '@/lib/rpki/source-manager';
import { ROUTE_SUMMARY_KEY, type RouteSummary } from '@/lib/rpki/summary';
import { validateEvents } from '@/lib/rpki/validate-events';

const SUMMARY_EVERY_MS = 5_000;

export interface RpkiService {
  observe(events: readonly BgpEvent[]): void;
  stop(): Promise<void>;
}

export async function startRpkiService(env: Env, logger: Logger, opts: { summaryEveryMs?: number } = {}): Promise<RpkiService> {
  const log = logger.child({ module: 'rpki' });
  const rtr = parseRtrList(env.RPKI_RTR);
  const { watch, rejected } = WatchList.parse(env.RPKI_WATCH_PREFIXES);
  if (rtr.rejected.length > 0 || rejected.length > 0) log.warn({ rtr: rtr.rejected, watch: rejected }, 'RPKI: ignoring bad RPKI_RTR / RPKI_WATCH_PREFIXES entries');
  const table = new RouteTable();
  const pending: RpkiAnomaly[] = [];
  const stats = { lastMs: null as number | null, lastAtMs: null as number | null, changed: 0, raised: 0 };
  let lastEventUs = 0;
  let pass = 0;
  let prevIndexSize = 0;
  let aspaTable: AspaTable = new Map();
  const aspaCounts = { valid: 0, invalid: 0, unknown: 0 };

  const flushAnomalies = async () => {
    const rows = pending.splice(0, pending.length);
    if (rows.length === 0) return;
    try {
      // Stored, then pushed on the anomaly stream like the detector's (workers/detect-push.ts).
      stats.raised += (await withAnomalyPush(rows.map((r) => r.dedupKey), anomalyPushRedis(), () => upsertRpkiAnomalies(rows))).result;
    } catch (err) {
      log.warn({ err, dropped: rows.length }, 'RPKI: could not store anomalies');
    }
  };

  // A full re-validation in time slices (lib/rpki/revalidate.ts); a newer index restarts it.
  const revalidate = (u: IndexUpdate) => {
    const mine = ++pass;
    const started = performance.now();
    const raise = prevIndexSize > 0; // the first set after start-up is not a "change"
    prevIndexSize = u.index.size;
    aspaTable = buildAspaTable(u.aspas);
    void revalidateInSlices(table, u.index, { cancelled: () => mine !== pass }).then((changes) => {
      if (changes === null) return;
      Object.assign(stats, { lastMs: performance.now() - started, lastAtMs: Date.now(), changed: changes.length });
      if (raise) for (const a of anomaliesFromChanges(changes, u.index, lastEventUs)) pending.push(a);
      const resolved = resolvedDedupKeys(changes);
      if (resolved.length > 0) void withAnomalyPush(resolved, anomalyPushRedis(), () => resolveAnomalies(resolved.map((dedupKey) => ({ dedupKey, endedAtUs: lastEventUs })))).catch((err) => log.warn({ err }, 'RPKI: could not resolve anomalies'));
      log.info({ routes: table.size, changed: changes.length, ms: Math.round(stats.lastMs!) }, 'RPKI: routes re-validated');
      void flushAnomalies();
    });
  };

  const manager = new RpkiSourceManager({
    config: {
      rtr: rtr.endpoints,
      urls: splitList(env.RPKI_VRP_URL),
      files: splitList(env.RPKI_VRP_FILE),
      jsonRefreshS: env.RPKI_VRP_REFRESH_S,
      rtrVersion: env.RPKI_RTR_VERSION as 0 | 1 | 2,
      ...(env.RPKI_SLURM_FILE ? { slurmFile: env.RPKI_SLURM_FILE } : {}),
    },
    logger: log,
    store: createRpkiDbStore(),
    onIndex: revalidate,
  });
  await manager.start();

  const observe = (events: readonly BgpEvent[]) => {
    const { index } = manager.latest;
    const appeared = table.observe(events, validateEvents(events, index));
    for (const e of events) if (e.timestampUs > lastEventUs) lastEventUs = e.timestampUs;
    if (watch.size > 0) pending.push(...anomaliesFromNewRoutes(appeared, watch, index));
    if (aspaTable.size > 0) {
      for (const e of events) if (e.eventType === 'announcement') aspaCounts[verifyUpstream(aspaTable, e.asPath, e.asPathSetMask)]++;
    }
  };
  setRpkiObserver(observe);
  // Backfills in this process validate against the same index, without the route table.
  setRpkiIndexProvider(() => ({ index: manager.latest.index, watch: watch.size > 0 ? watch : null }));

  const publish = async () => {
    const u = manager.latest;
    const slurm = manager.slurmState();
    const summary: RouteSummary = {
      counts: table.counts(),
      index: { vrps: u.index.size, ...u.index.counts, aspas: u.aspas.length, version: u.version, builtAtMs: u.builtAtMs, buildMs: u.buildMs },
      sources: manager.statuses(),
      ...(slurm ? { slurm } : {}),
      revalidation: { lastMs: stats.lastMs, lastAtMs: stats.lastAtMs, changed: stats.changed },
      anomalies: { raised: stats.raised },
      ...(aspaTable.size > 0 ? { aspa: { ...aspaCounts } } : {}),
      updatedAtMs: Date.now(),
    };
    await flushAnomalies();
    await saveRpkiState(ROUTE_SUMMARY_KEY, summary).catch((err) => log.warn({ err }, 'RPKI: could not publish the summary'));
  };
  const timer = setInterval(() => void publish(), opts.summaryEveryMs ?? SUMMARY_EVERY_MS);
  timer.unref();
  void publish();
  log.info({ rtr: rtr.endpoints.length, urls: splitList(env.RPKI_VRP_URL).length, files: splitList(env.RPKI_VRP_FILE).length, watch: watch.size }, 'RPKI service started');

  return {
    observe,
    async stop() {
      clearInterval(timer);
      setRpkiObserver(null);
      setRpkiIndexProvider(null);
      pass++;
      await manager.stop();
      await publish();
    },
  };
}
