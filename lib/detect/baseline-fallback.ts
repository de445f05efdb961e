// The window the rules compare against, with a fallback while it is still empty. 7 d and 30 d
// baselines are sums of ended days, so a fresh installation (or one whose history starts today)
// has none for up to a day; without a fallback every rule would stay silent until then. While
// the configured window covers no hour yet, every question about it is answered from the
// fallback window instead — the view, its meta and the link hints together, so rules that
// combine them (e.g. withdrawal rates per covered hour) stay consistent.

import type { BaselineView } from '@/lib/baseline/codec';
import type { WindowMeta } from '@/lib/baseline/summary';
import type { BaselineWindow } from '@/lib/baseline/types';
import type { RuleBaselines } from '@/lib/detect/rules/common';

export class FallbackBaselines implements RuleBaselines {
  constructor(
    private readonly inner: RuleBaselines,
    private readonly fallback: BaselineWindow,
  ) {}

  /** The window actually read for `window` now. */
  effectiveWindow(window: BaselineWindow): BaselineWindow {
    if (window === this.fallback) return window;
    const meta = this.inner.windowMeta(window);
    return meta && meta.hoursCovered > 0 ? window : this.fallback;
  }

  get generation(): number | undefined {
    return this.inner.generation;
  }

  slotOf(prefix: string): number {
    return this.inner.slotOf ? this.inner.slotOf(prefix) : -1;
  }

  getBaselineAt(slot: number, window: BaselineWindow): BaselineView | undefined {
    return this.inner.getBaselineAt?.(slot, this.effectiveWindow(window));
  }

  getBaseline(prefix: string, window: BaselineWindow): BaselineView | undefined {
    return this.inner.getBaseline(prefix, this.effectiveWindow(window));
  }

  linkHint(from: number, to: number, window?: BaselineWindow): number {
    return this.inner.linkHint(from, to, window === undefined ? undefined : this.effectiveWindow(window));
  }

  windowMeta(window: BaselineWindow): WindowMeta | undefined {
    return this.inner.windowMeta(this.effectiveWindow(window));
  }
}
