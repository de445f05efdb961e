import { describe, expect, it } from 'vitest';
import { baselineCacheFromEvents } from '@/lib/detect/baseline-from-events';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import { partitionOf } from '@/lib/detect/pipeline/partition';
import { PartitionDetector, type OriginWithdrawalDelta, type OriginWithdrawalTotals } from '@/lib/detect/pipeline/partition-detector';
import { decodeDetectEvent, detectBatchPayload, encodeDetectEvent } from '@/lib/detect/pipeline/event-codec';
import { ev, fromPeers, sec } from '@/lib/detect/test-events';

const cfg = DEFAULT_DETECTION_CONFIG;
const P = 4;

// 120 prefixes of AS100 spread over many first octets, so every partition holds some.
const prefixes = Array.from({ length: 120 }, (_, i) => `${10 + (i % 60)}.${Math.floor(i / 60)}.0.0/16`);
const routes = prefixes.map((p) => ev({ prefix: p, peer: 1, path: [64501, 3356, 100], at: sec(-50) }));
const gone = prefixes.slice(0, 60).map((p, i) => ev({ prefix: p, peer: 1, withdraw: true, at: sec(i * 0.1) }));

/** What the Redis sums do in production: add each partition's deltas per (origin, bucket). */
function sum(deltas: OriginWithdrawalDelta[], totals: Map<string, OriginWithdrawalTotals>): OriginWithdrawalTotals[] {
  const changed: OriginWithdrawalTotals[] = [];
  for (const d of deltas) {
    const k = `${d.origin}|${d.bucketStartUs}`;
    const t = totals.get(k) ?? { origin: d.origin, bucketStartUs: d.bucketStartUs, prefixes: 0, expected: 0, peers: 0, lastUs: 0 };
    t.prefixes += d.prefixes;
    t.expected += d.expected;
    t.peers = Math.max(t.peers, d.peers);
    t.lastUs = Math.max(t.lastUs, d.lastUs);
    totals.set(k, t);
    changed.push(t);
  }
  return changed;
}

describe('PartitionDetector', () => {
  it('an origin withdrawal spread over partitions is detected on the sum, while no partition alone reaches the threshold', async () => {
    const baselines = await baselineCacheFromEvents(routes);
    const parts = Array.from({ length: P }, () => new PartitionDetector(baselines, cfg));
    const totals = new Map<string, OriginWithdrawalTotals>();
    const found = [];
    for (const batch of [routes, gone]) {
      for (let p = 0; p < P; p++) {
        const mine = batch.filter((e) => partitionOf(e.prefix, P) === p);
        const r = parts[p]!.process(mine);
        // The per-origin candidate of the local rule never comes out of a partition.
        expect(r.changed.filter((a) => a.entityKey === 'AS100')).toEqual([]);
        for (const d of r.withdrawals) expect(d.prefixes).toBeLessThan(cfg.massWithdrawal.minPrefixesPerOrigin);
        found.push(...parts[p]!.originTotals(sum(r.withdrawals, totals)));
      }
    }
    const origin = found.filter((a) => a.entityKey === 'AS100');
    expect(origin.length).toBeGreaterThanOrEqual(1);
    expect(origin.at(-1)).toMatchObject({ type: 'mass_withdrawal', originAsn: 100, prefix: null, status: 'ongoing' });
    expect([...totals.values()].reduce((s, t) => s + t.prefixes, 0)).toBe(60);
  });

  it('a restored checkpoint continues: the open hijack resolves after the restore, nothing is re-opened', async () => {
    const cover = '203.0.113.0/24';
    const base = fromPeers(30, { prefix: cover, path: [3356, 100], at: sec(-100) });
    const baselines = await baselineCacheFromEvents(base);
    const hijack = fromPeers(30, { prefix: '203.0.113.0/25', path: [174, 666], at: sec(10) });
    const withdraw = Array.from({ length: 30 }, (_, k) => ev({ prefix: '203.0.113.0/25', peer: k + 1, withdraw: true, at: sec(100 + k) }));

    const a = new PartitionDetector(baselines, cfg);
    a.process(base);
    const opened = a.process(hijack).changed.filter((x) => x.type === 'more_specific');
    expect(opened).toHaveLength(1);
    const cp = a.checkpoint();

    const b = new PartitionDetector(baselines, cfg, { checkpoint: cp });
    expect(b.detector.tracker.openAnomalies().map((x) => x.dedupKey)).toEqual([opened[0]!.dedupKey]);
    const after = b.process(withdraw).changed;
    expect(after.map((x) => [x.dedupKey, x.status])).toContainEqual([opened[0]!.dedupKey, 'resolved']);
    expect(after.filter((x) => x.type === 'more_specific' && x.dedupKey !== opened[0]!.dedupKey)).toEqual([]);
    // Same outcome as a detector that never stopped.
    const whole = new Detector(baselines, cfg);
    whole.processBatch(base);
    whole.processBatch(hijack);
    expect(whole.processBatch(withdraw).changed.find((x) => x.type === 'more_specific')?.endedAtUs).toBe(after.find((x) => x.type === 'more_specific')?.endedAtUs);
  });

  it('the compact event form round-trips what the detector reads', () => {
    const e = ev({ prefix: '2001:db8::/32', peer: 3, path: [64503, 3356, 64999, 65000], setTail: 2, at: sec(5) });
    const wire = detectBatchPayload.parse(JSON.parse(JSON.stringify({ events: [encodeDetectEvent(e)], committedAtMs: 1 })));
    const back = decodeDetectEvent(wire.events[0]!);
    for (const k of ['source', 'collector', 'peerAsn', 'peerIp', 'eventType', 'prefix', 'prefixLength', 'originAsn', 'asPath', 'asPathSetMask', 'asPathLength', 'timestampUs'] as const) expect(back[k]).toEqual(e[k]);
    expect(detectBatchPayload.safeParse({ events: [['x']], committedAtMs: 1 }).success).toBe(false);
  });
});
