import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineCache, type BaselineMeta, type BaselineRow, type BaselineSource } from '@/lib/baseline/cache';
import { encodeBaseline } from '@/lib/baseline/codec';
import { hourStats } from '@/lib/baseline/test-stats';
import type { BaselineWindow } from '@/lib/baseline/types';
import { FallbackBaselines } from '@/lib/detect/baseline-fallback';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { detectOriginChange } from '@/lib/detect/rules/origin-change';
import { fromPeers, sec } from '@/lib/detect/test-events';

const P = '203.0.113.0/24';

function baselineWithOrigin(origin: number): Uint8Array {
  const acc = new BaselineAccumulator();
  acc.apply(hourStats({ hour: 1, prefix: P, announcements: 20, peers: 10, collectors: ['rrc00'], origins: [origin], originCounts: [20] }), 1);
  return encodeBaseline(acc);
}

/** prefix_baselines in memory: rows per window and the hours each window covers. */
class Source implements BaselineSource {
  private rows: BaselineRow[] = [];
  private seq = 0;
  constructor(private readonly covered: Record<BaselineWindow, number>) {}
  put(window: BaselineWindow, origin: number, hours: number): void {
    this.rows.push({ prefix: P, window, state: baselineWithOrigin(origin), seq: ++this.seq });
    this.covered[window] = hours;
  }
  async getMeta(): Promise<BaselineMeta> {
    return { asOfHour: 100, purgedSeq: 0, hoursCovered: { ...this.covered } };
  }
  async listChanges(after: number, limit: number): Promise<BaselineRow[]> {
    return this.rows.filter((r) => r.seq > after).slice(0, limit);
  }
  async listLinkHints(window: BaselineWindow) {
    return window === '24h' ? [{ from: 64496, to: 64666, count: 2 }] : [];
  }
}

describe('FallbackBaselines', () => {
  it('answers from the fallback window while the configured one covers no hour, then from the configured one', async () => {
    const src = new Source({ '24h': 0, '7d': 0, '30d': 0 });
    src.put('24h', 64496, 5);
    const cache = new BaselineCache();
    await cache.refresh(src);
    const b = new FallbackBaselines(cache, '24h');

    expect(b.effectiveWindow('30d')).toBe('24h');
    expect(b.getBaseline(P, '30d')?.originCount(64496)).toBe(20);
    expect(b.windowMeta('30d')).toMatchObject({ window: '24h', hoursCovered: 5 });
    expect(b.linkHint(64496, 64666, '30d')).toBe(2);
    expect(b.getBaselineAt(b.slotOf(P), '30d')?.originCount(64496)).toBe(20);

    // A day has ended: the 30-day window exists and is read as configured (its own origin).
    src.put('30d', 64777, 24);
    await cache.refresh(src);
    expect(b.effectiveWindow('30d')).toBe('30d');
    expect(b.getBaseline(P, '30d')?.originCount(64777)).toBe(20);
    expect(b.getBaseline(P, '30d')?.originCount(64496)).toBe(0);
    expect(b.windowMeta('30d')).toMatchObject({ window: '30d', hoursCovered: 24 });
    expect(b.linkHint(64496, 64666, '30d')).toBe(0);
  });

  it('lets a detector configured for 30 days alert on a fresh installation that only has a 24-hour baseline', async () => {
    const src = new Source({ '24h': 0, '7d': 0, '30d': 0 });
    src.put('24h', 64496, 3);
    const cache = new BaselineCache();
    await cache.refresh(src);
    const config = { ...DEFAULT_DETECTION_CONFIG, baselineWindow: '30d' as const };
    const origins = (d: Detector) => d.processBatch(fromPeers(3, { prefix: P, path: [3356, 64999], at: sec(10) }, 1)).changed.map((a) => a.originAsn);

    expect(origins(new Detector(cache, config, { rules: [detectOriginChange] }))).toEqual([]);
    expect(origins(new Detector(new FallbackBaselines(cache, '24h'), config, { rules: [detectOriginChange] }))).toEqual([64999]);
  });
});
