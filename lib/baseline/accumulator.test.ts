import { describe, expect, it } from 'vitest';
import { BaselineAccumulator } from '@/lib/baseline/accumulator';
import { BaselineView, encodeBaseline } from '@/lib/baseline/codec';
import { summarizeBaseline } from '@/lib/baseline/summary';
import { hourStats } from '@/lib/baseline/test-stats';

const P = '193.0.0.0/21';
const h1 = hourStats({
  hour: 1, prefix: P, announcements: 4, withdrawals: 1, peers: 3, collectors: ['rrc00', 'rrc21'],
  origins: [3333], originCounts: [4], linkFrom: [64500, 1299], linkTo: [1299, 3333], linkCounts: [4, 4],
  pathKeys: [11, -5], pathCounts: [3, 1], pathLengths: [3], pathLengthCounts: [4],
});
const h2 = hourStats({
  hour: 2, prefix: P, announcements: 2, withdrawals: 3, peers: 5, collectors: ['rrc00'],
  origins: [3333, 64666], originCounts: [1, 1], linkFrom: [64500], linkTo: [64666], linkCounts: [1],
  pathKeys: [11, 12], pathCounts: [1, 1], pathLengths: [2, 3], pathLengthCounts: [1, 1],
});

const roundTrip = (acc: BaselineAccumulator) => BaselineView.fromBytes(encodeBaseline(acc));

describe('rolling baseline sums', () => {
  it('adds hours', () => {
    const acc = new BaselineAccumulator();
    acc.apply(h1, 1);
    acc.apply(h2, 1);
    const v = roundTrip(acc);
    expect(v.hoursSeen).toBe(2);
    expect([...v.origins()]).toEqual([[3333, 5], [64666, 1]]);
    expect(v.originCount(64666)).toBe(1);
    expect(v.originCount(1)).toBe(0);
    expect(v.linkCount(64500, 1299)).toBe(4);
    expect(v.linkCount(1299, 64500)).toBe(0);
    expect(v.pathCount(11)).toBe(4);
    expect(v.pathCount(-5)).toBe(1);
    expect(v.hasAsInPaths(64666)).toBe(true);
    expect(v.hasAsInPaths(174)).toBe(false);
  });

  it('subtracting an hour gives exactly the sums without it (and drops what reached 0)', () => {
    const both = new BaselineAccumulator();
    both.apply(h1, 1);
    both.apply(h2, 1);
    both.apply(h1, -1);
    const only2 = new BaselineAccumulator();
    only2.apply(h2, 1);
    expect(encodeBaseline(both)).toEqual(encodeBaseline(only2));
    both.apply(h2, -1);
    expect(both.isEmpty()).toBe(true);
    expect(both.origins.size + both.links.size + both.paths.size + both.peerHist.size).toBe(0);
  });

  it('summarizes shares, rates over covered hours and visibility', () => {
    const acc = new BaselineAccumulator();
    acc.apply(h1, 1);
    acc.apply(h2, 1);
    const s = summarizeBaseline(roundTrip(acc), { window: '24h', asOfHour: 2, hoursCovered: 4 });
    expect(s.origins).toEqual([
      { asn: 3333, count: 5, share: 5 / 6 },
      { asn: 64666, count: 1, share: 1 / 6 },
    ]);
    // withdrawals per hour over 4 covered hours: 1, 3, 0, 0 -> mean 1, var (1+9)/4 - 1 = 1.5
    expect(s.rates.withdrawals.mean).toBe(1);
    expect(s.rates.withdrawals.stddev).toBeCloseTo(Math.sqrt(1.5), 12);
    // updates 5, 5, 0, 0 -> mean 2.5, var 50/4 - 6.25 = 6.25
    expect(s.rates.updates).toEqual({ mean: 2.5, stddev: 2.5 });
    expect(s.visibility.peers).toEqual({ median: 3, max: 5, mean: 4 });
    expect(s.visibility.collectors).toEqual({ median: 1, max: 2, mean: 1.5 });
    expect(s.pathLengths).toEqual([{ length: 2, count: 1 }, { length: 3, count: 5 }]);
    expect(s.links[0]).toEqual({ from: 1299, to: 3333, count: 4 });
  });

  it('round-trips through the view back to sums', () => {
    const acc = new BaselineAccumulator();
    acc.apply(h1, 1);
    const again = roundTrip(acc).toAccumulator();
    again.apply(h2, 1);
    const direct = new BaselineAccumulator();
    direct.apply(h1, 1);
    direct.apply(h2, 1);
    expect(encodeBaseline(again)).toEqual(encodeBaseline(direct));
  });

  it('rejects bytes that are not a packed baseline', () => {
    expect(() => BaselineView.fromBytes(new Uint8Array(10))).toThrow(/not a packed baseline/);
    const good = encodeBaseline(new BaselineAccumulator());
    expect(() => BaselineView.fromBytes(good.subarray(0, good.byteLength - 8))).toThrow();
  });
});

describe('day sums (packed states added and bounded)', () => {
  it('adding packed sums equals adding their hours, and subtracting them undoes it', () => {
    const day = new BaselineAccumulator();
    day.apply(h1, 1);
    day.apply(h2, 1);
    const dayState = roundTrip(day);
    const viaHours = new BaselineAccumulator();
    viaHours.apply(h2, 1);
    viaHours.apply(h1, 1);
    viaHours.apply(h2, 1);
    const viaState = new BaselineAccumulator();
    viaState.apply(h2, 1);
    viaState.applyState(dayState, 1);
    expect(encodeBaseline(viaState)).toEqual(encodeBaseline(viaHours));
    viaState.applyState(dayState, -1);
    const only = new BaselineAccumulator();
    only.apply(h2, 1);
    expect(encodeBaseline(viaState)).toEqual(encodeBaseline(only));
  });

  it('trim keeps the most counted entries (ties: smaller key) and reports what it dropped', () => {
    const acc = new BaselineAccumulator();
    acc.apply(h1, 1);
    acc.apply(h2, 1);
    // origins 3333:5, 64666:1; links 64500>1299:4, 1299>3333:4, 64500>64666:1; paths 11:4, -5:1, 12:1
    expect(acc.trim({ origins: 1, links: 2, paths: 2 })).toEqual({ origins: 1, links: 1, paths: 1 });
    expect([...acc.origins]).toEqual([[3333, 5]]);
    expect([...acc.links.keys()].sort()).toEqual(['1299,3333', '64500,1299']);
    // -5 and 12 tie at 1: the smaller key stays.
    expect(new Set(acc.paths.keys())).toEqual(new Set([11, -5]));
    expect(acc.trim({ origins: 1, links: 2, paths: 2 })).toEqual({ origins: 0, links: 0, paths: 0 });
  });
});
