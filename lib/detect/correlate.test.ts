import { describe, expect, it } from 'vitest';
import { correlate, linkKeys } from '@/lib/detect/correlate';
import { sec } from '@/lib/detect/test-events';
import type { Anomaly } from '@/lib/detect/types';

let n = 0;
function a(over: Partial<Anomaly>): Anomaly {
  n++;
  return {
    type: 'path_deviation',
    entityKey: `e${n}`,
    prefix: null,
    baselineOrigins: [],
    originAsn: null,
    startedAtUs: sec(0),
    confidence: 0.5,
    severity: 'medium',
    summary: `anomaly ${n}`,
    evidence: { peers: [], collectors: [], samples: [], details: {} },
    watched: false,
    dedupKey: `k${n}`,
    status: 'ongoing',
    endedAtUs: null,
    lastSeenUs: sec(0),
    peakPeers: 1,
    ...over,
  };
}

describe('correlate', () => {
  it('groups a leak: many path deviations through one AS become one incident with a readable sentence', () => {
    const leak = Array.from({ length: 150 }, (_, i) => a({ prefix: `10.${i}.0.0/16`, originAsn: 1000 + i, entityKey: `10.${i}.0.0/16|valley AS1299-AS65010-AS3356`, startedAtUs: sec(i) }));
    const other = a({ type: 'origin_change', prefix: '192.0.2.0/24', originAsn: 666, baselineOrigins: [100], startedAtUs: sec(5), severity: 'high' });
    const inc = correlate([...leak, other]);
    expect(inc).toHaveLength(2);
    const big = inc.find((i) => i.anomalies.length === 150)!;
    expect(big).toMatchObject({ sharedBy: 'AS65010 on their paths', severity: 'medium', endedAtUs: null, id: leak[0]!.dedupKey });
    expect(big.prefixes).toHaveLength(20);
    expect(big.summary).toMatch(/^150 path deviations sharing AS65010 on their paths, across 150 prefixes, from 2026-01-01T12:00:00Z, ongoing/);
  });

  it('groups a sub-prefix hijack with the origin change on its covering tree, not unrelated anomalies far apart in time', () => {
    const ms = a({ type: 'more_specific', prefix: '208.65.153.0/24', originAsn: 17557, baselineOrigins: [36561], severity: 'critical', evidence: { peers: [], collectors: [], samples: [], details: { covering: '208.65.152.0/22' } } });
    const oc = a({ type: 'origin_change', prefix: '208.65.152.0/22', originAsn: 17557, baselineOrigins: [36561], startedAtUs: sec(60), status: 'resolved', endedAtUs: sec(600) });
    const late = a({ type: 'origin_change', prefix: '208.65.154.0/24', originAsn: 17557, startedAtUs: sec(86_400) });
    const inc = correlate([late, oc, ms]);
    expect(inc.map((i) => i.anomalies.length)).toEqual([2, 1]);
    expect(inc[0]).toMatchObject({ severity: 'critical', origins: [17557], types: { more_specific: 1, origin_change: 1 } });
    expect(inc[0]!.summary).toMatch(/1 more-specific, 1 origin change sharing/);
  });

  it('link keys: origin, baseline origins, prefix, covering, tree root, path AS', () => {
    expect(linkKeys(a({ prefix: '2001:db8:1::/48', originAsn: 5, baselineOrigins: [6], entityKey: '2001:db8:1::/48|transit AS77' })).sort()).toEqual(['a:77', 'o:5', 'o:6', 'p:2001:db8:1::/48', 'p:2001:db8::/32']);
    expect(linkKeys(a({ prefix: '10.0.0.0/8' }))).toEqual(['p:10.0.0.0/8']);
  });
});
