import { describe, expect, it } from 'vitest';
import { testAnomalyDto, testPush } from '@/lib/alerts/test-messages';
import { applyAnomalyPush, rankForPanel } from '@/lib/api/anomaly-list-state';

describe('applyAnomalyPush', () => {
  const list = [testAnomalyDto({ id: '2' }), testAnomalyDto({ id: '1' })];
  it('replaces a listed anomaly in place', () => {
    const r = applyAnomalyPush(list, testPush('updated', { id: '1', severity: 'critical', updatedAt: '2026-11-22T18:00:01.000000Z' }));
    expect(r.refetch).toBe(false);
    expect(r.list.map((a) => [a.id, a.severity])).toEqual([['2', 'high'], ['1', 'critical']]);
  });
  it('ignores a message older than the listed row', () => {
    const r = applyAnomalyPush(list, testPush('updated', { id: '1', severity: 'low', updatedAt: '2026-11-22T17:00:00.000000Z' }));
    expect(r).toEqual({ list, refetch: false });
  });
  it('asks for a refetch when the anomaly is not listed', () => {
    expect(applyAnomalyPush(list, testPush('new', { id: '3' }))).toEqual({ list, refetch: true });
  });
});

describe('rankForPanel', () => {
  it('puts watched ongoing first, then ongoing by severity, then ended; API order within', () => {
    const ranked = rankForPanel([
      testAnomalyDto({ id: 'a', severity: 'low' }),
      testAnomalyDto({ id: 'b', status: 'resolved', severity: 'critical' }),
      testAnomalyDto({ id: 'c', severity: 'critical' }),
      testAnomalyDto({ id: 'd', watched: true, severity: 'low' }),
      testAnomalyDto({ id: 'e', severity: 'critical' }),
    ]);
    expect(ranked.map((a) => a.id)).toEqual(['d', 'c', 'e', 'a', 'b']);
  });
});
