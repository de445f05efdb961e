// The rules' short-term memory (pure): windows of recent sightings the rules need beyond the
// route state. Sized by the config's windows; prune() with the current event time keeps it small.

import type { DetectionConfig } from '@/lib/detect/config';
import { WindowedSets } from '@/lib/detect/windowed-sets';

export class RuleMemory {
  /** Covering prefix → more-specific prefix ids that appeared under it. */
  readonly moreSpecifics: WindowedSets<string>;
  /** Prefix id → peers that withdrew it (secondary: collector ids). */
  readonly prefixWithdrawals: WindowedSets<number>;
  /** Origin ASN → prefix ids withdrawn (secondary: peer ids). */
  readonly originWithdrawals: WindowedSets<number>;
  /** Expected withdrawals (baseline) accumulated per origin window, keyed by the window's start. */
  readonly originExpected = new Map<number, { startUs: number; expected: number; counted: Set<number> }>();
  /** Deviation entity → peers showing it (secondary: collector ids). */
  readonly pathDeviations: WindowedSets<string>;

  constructor(cfg: DetectionConfig) {
    this.moreSpecifics = new WindowedSets(cfg.moreSpecific.burstSeconds * 1e6);
    this.prefixWithdrawals = new WindowedSets(cfg.massWithdrawal.windowSeconds * 1e6);
    this.originWithdrawals = new WindowedSets(cfg.massWithdrawal.windowSeconds * 1e6);
    this.pathDeviations = new WindowedSets(cfg.lifecycle.quietSeconds * 1e6);
  }

  prune(nowUs: number): void {
    this.moreSpecifics.prune(nowUs);
    this.prefixWithdrawals.prune(nowUs);
    this.originWithdrawals.prune(nowUs);
    this.pathDeviations.prune(nowUs);
    for (const [k, v] of this.originExpected) if (!this.originWithdrawals.get(k) || this.originWithdrawals.get(k)!.startUs !== v.startUs) this.originExpected.delete(k);
  }
}
