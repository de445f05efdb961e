import { describe, expect, it } from 'vitest';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { anomalyPushMessageSchema, parseAnomalyPush } from '@/lib/detect/push-types';
import type { StoredAnomaly } from '@/lib/detect/types';

const stored: StoredAnomaly = {
  id: '42',
  source: 'detector',
  type: 'more_specific',
  entityKey: '208.65.153.0/24|17557',
  prefix: '208.65.153.0/24',
  baselineOrigins: [36561],
  originAsn: 17557,
  startedAtUs: 1_203_800_000_123_456,
  confidence: 0.9,
  severity: 'critical',
  summary: 'sub-prefix of 208.65.152.0/22 announced by AS17557',
  evidence: {
    peers: ['rrc00 192.0.2.1 AS64501'],
    collectors: ['rrc00'],
    samples: [{ collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 64501, atUs: 1_203_800_000_123_456, asPath: [64501, 3491, 17557] }],
    details: { peers: 1, covering: '208.65.152.0/22' },
  },
  watched: false,
  dedupKey: 'more_specific|208.65.153.0/24|17557|12345',
  status: 'resolved',
  endedAtUs: 1_203_807_200_000_000,
  lastSeenUs: 1_203_800_100_000_000,
  peakPeers: 1,
  createdAtMs: 1_790_000_000_000,
  updatedAtMs: 1_790_000_001_000,
};

describe('push message contract', () => {
  it('round-trips through JSON and rejects foreign entries', () => {
    const msg = anomalyPushMessageSchema.parse({ kind: 'new', anomaly: toAnomalyDto(stored), publishedAtMs: 1 });
    const back = parseAnomalyPush(JSON.stringify(msg));
    expect(back).toEqual({ ok: true, value: msg });
    expect(parseAnomalyPush('{"kind":"gone"}').ok).toBe(false);
    expect(parseAnomalyPush('nope')).toEqual({ ok: false, reason: 'not JSON' });
  });
});
