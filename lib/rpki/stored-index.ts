// The VRP index for processes without the RPKI service (a backfill-only worker, the backfill
// CLI's --inline mode): the union of the last good sets the service persisted, read-only. Loaded
// on first use, checked for changes at most once a minute (one small query), rebuilt off-thread.

import { getEnv } from '@/lib/env';
import { listRpkiSources, loadRpkiSourceSet, rpkiStoreFingerprint } from '@/lib/db/rpki';
import type { Logger } from '@/lib/log';
import { WatchList } from '@/lib/rpki/anomalies';
import { VrpIndexBuilder } from '@/lib/rpki/index-builder';
import type { RpkiValidationContext } from '@/lib/rpki/observer';
import type { Vrp } from '@/lib/rpki/types';

const CHECK_EVERY_MS = 60_000;

export class StoredRpkiIndex {
  private ctx: RpkiValidationContext | null = null;
  private fingerprint: string | null = null;
  private checkedAtMs = -Infinity;
  private loading: Promise<RpkiValidationContext | null> | null = null;
  private readonly builder: VrpIndexBuilder;
  private readonly watch: WatchList | null;

  constructor(private readonly opts: { logger: Logger; watchPrefixes?: string; now?: () => number }) {
    this.builder = new VrpIndexBuilder({ logger: opts.logger });
    const list = opts.watchPrefixes ?? getEnv().RPKI_WATCH_PREFIXES;
    this.watch = list ? WatchList.parse(list).watch : null;
  }

  /** The stored union (null when nothing is stored: no RPKI source ever delivered). */
  get(): Promise<RpkiValidationContext | null> {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.checkedAtMs < CHECK_EVERY_MS) return Promise.resolve(this.ctx);
    if (!this.loading) {
      this.loading = this.refresh(now).finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async refresh(now: number): Promise<RpkiValidationContext | null> {
    try {
      const fp = await rpkiStoreFingerprint();
      this.checkedAtMs = now;
      if (fp === this.fingerprint) return this.ctx;
      const vrps: Vrp[] = [];
      for (const s of await listRpkiSources()) {
        const set = await loadRpkiSourceSet(s.sourceId);
        if (set) for (const v of set.vrps) vrps.push(v);
      }
      this.fingerprint = fp;
      if (vrps.length === 0) {
        // Nothing stored (no RPKI source configured anywhere yet): no verdicts rather than "all not found".
        this.ctx = null;
        return null;
      }
      const built = await this.builder.build(vrps);
      this.ctx = built.index.size > 0 ? { index: built.index, watch: this.watch } : null;
      this.opts.logger.info({ vrps: built.index.size }, 'RPKI: loaded the stored VRP sets for backfill validation (read-only)');
    } catch (err) {
      // Keep what we had; the next call tries again.
      this.checkedAtMs = now;
      this.opts.logger.warn({ err }, 'RPKI: could not load the stored VRP sets; backfilled routes go unvalidated meanwhile');
    }
    return this.ctx;
  }

  async close(): Promise<void> {
    await this.builder.close();
  }
}
