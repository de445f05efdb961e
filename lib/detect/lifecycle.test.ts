import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG as cfg } from '@/lib/detect/config';
import { anomalyDedupKey, AnomalyTracker } from '@/lib/detect/lifecycle';
import { baselineCacheFromEvents } from '@/lib/detect/baseline-from-events';
import { Detector } from '@/lib/detect/detector';
import { detectOriginChange } from '@/lib/detect/rules/origin-change';
import { ev, fromPeers, sec } from '@/lib/detect/test-events';
import type { AnomalyCandidate } from '@/lib/detect/types';

const cand = (over: Partial<AnomalyCandidate> = {}): AnomalyCandidate => ({
  type: 'origin_change',
  entityKey: '10.0.0.0/8|666',
  prefix: '10.0.0.0/8',
  baselineOrigins: [100],
  originAsn: 666,
  startedAtUs: sec(0),
  confidence: 0.3,
  severity: 'high',
  summary: 's',
  evidence: { peers: ['rrc00 a AS1'], collectors: ['rrc00'], samples: [], details: { peers: 1 } },
  watched: false,
  ...over,
});

describe('AnomalyTracker', () => {
  it('keys by type | entity | start bucket', () => {
    expect(anomalyDedupKey('origin_change', '10.0.0.0/8|666', sec(0), cfg)).toBe(`origin_change|10.0.0.0/8|666|${Math.floor(sec(0) / 3.6e9)}`);
  });

  it('repeated evidence updates one anomaly: peers accumulate, confidence and severity only rise', () => {
    const t = new AnomalyTracker(cfg);
    const a = t.observe(cand());
    const b = t.observe(cand({ startedAtUs: sec(5), confidence: 0.9, severity: 'critical', evidence: { peers: ['rrc01 b AS2'], collectors: ['rrc01'], samples: [], details: { peers: 2 } } }));
    t.observe(cand({ startedAtUs: sec(6), confidence: 0.1, severity: 'low' }));
    expect(b).toBe(a);
    expect(a).toMatchObject({ confidence: 0.9, severity: 'critical', startedAtUs: sec(0), lastSeenUs: sec(6), peakPeers: 2, status: 'ongoing' });
    expect(a.evidence.peers).toEqual(['rrc00 a AS1', 'rrc01 b AS2']);
    expect(a.evidence.collectors).toEqual(['rrc00', 'rrc01']);
    expect(t.drainChanged()).toEqual([a]);
    t.observe(cand({ startedAtUs: sec(7) }));
    expect(t.drainChanged()).toEqual([]); // nothing new: nothing to upsert
  });

  it('burst-type anomalies end after the quiet period, at their last evidence', () => {
    const t = new AnomalyTracker(cfg);
    const a = t.observe(cand({ type: 'mass_withdrawal', entityKey: 'AS100', prefix: null }));
    expect(t.sweep(sec(cfg.lifecycle.quietSeconds))).toEqual([]);
    expect(t.sweep(sec(cfg.lifecycle.quietSeconds + 1))).toEqual([a]);
    expect(a).toMatchObject({ status: 'resolved', endedAtUs: sec(0) });
  });

  it('a replay of evidence from before the end changes nothing; a recurrence in the same bucket re-opens the same key', () => {
    const t = new AnomalyTracker(cfg);
    const a = t.observe(cand({ type: 'path_deviation' }));
    t.sweep(sec(cfg.lifecycle.quietSeconds + 10));
    t.drainChanged();
    expect(t.observe(cand({ type: 'path_deviation' }))).toBe(a);
    expect(a.status).toBe('resolved');
    expect(t.drainChanged()).toEqual([]);
    expect(t.observe(cand({ type: 'path_deviation', startedAtUs: sec(cfg.lifecycle.quietSeconds + 20) }))).toBe(a);
    expect(a).toMatchObject({ status: 'ongoing', endedAtUs: null });
  });

  it('a hijack ends when most peers that carried it have withdrawn it or gone back to the usual origin', async () => {
    const P = '203.0.113.0/24';
    const baselines = await baselineCacheFromEvents(fromPeers(20, { prefix: P, path: [3356, 100], at: sec(-7200) }));
    const d = new Detector(baselines, cfg, { rules: [detectOriginChange] });
    d.processBatch(fromPeers(20, { prefix: P, path: [3356, 100], at: sec(-10) }));
    d.processBatch(fromPeers(10, { prefix: P, path: [174, 666], at: sec(0) }));
    const [a] = d.tracker.openAnomalies();
    expect(a).toMatchObject({ type: 'origin_change', originAsn: 666, peakPeers: 10 });
    d.processBatch(Array.from({ length: 5 }, (_, k) => ev({ prefix: P, peer: k + 1, path: [64501 + k, 3356, 100], at: sec(60 + k) })));
    d.processBatch(Array.from({ length: 3 }, (_, k) => ev({ prefix: P, peer: k + 6, withdraw: true, at: sec(70 + k) })));
    expect(a!.status).toBe('ongoing'); // 2 of 10 still carry it
    const r = d.processBatch([ev({ prefix: P, peer: 9, withdraw: true, at: sec(80) })]);
    expect(a).toMatchObject({ status: 'resolved', endedAtUs: sec(80) });
    expect(r.changed).toContain(a);
  });
});
