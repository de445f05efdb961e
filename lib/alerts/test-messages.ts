// Push messages for the alerting tests (unit and integration).

import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import type { AnomalyPushMessage } from '@/lib/detect/push-types';

export function testAnomalyDto(over: Partial<AnomalyDto> = {}): AnomalyDto {
  return {
    id: '42',
    type: 'origin_change',
    severity: 'high',
    status: 'ongoing',
    confidence: 0.82,
    prefix: '208.65.152.0/22',
    originAsn: 17557,
    baselineOrigins: [36561],
    entityKey: '208.65.152.0/22|17557',
    summary: '208.65.152.0/22 announced by AS17557 instead of AS36561, seen by 40 peers',
    watched: false,
    startedAt: '2008-02-24T18:47:45.000000Z',
    endedAt: null,
    lastSeenAt: '2008-02-24T18:50:00.000000Z',
    peakPeers: 40,
    evidence: {
      peers: ['rrc00 192.0.2.1 AS3356'],
      collectors: ['rrc00', 'rrc01'],
      samples: [{ collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 3356, at: '2008-02-24T18:47:45.000000Z', asPath: [3356, 3491, 17557] }],
      details: { peers: 40 },
      heuristic: false,
    },
    source: 'detector',
    createdAt: '2026-11-22T18:00:00.000000Z',
    updatedAt: '2026-11-22T18:00:00.000000Z',
    ...over,
  };
}

export function testPush(kind: AnomalyPushMessage['kind'], over: Partial<AnomalyDto> = {}): AnomalyPushMessage {
  return { kind, anomaly: testAnomalyDto(over), publishedAtMs: 1_795_000_000_000 };
}
