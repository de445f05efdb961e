import { describe, expect, it } from 'vitest';
import { detectOriginChange } from '@/lib/detect/rules/origin-change';
import { detectWith, ev, fromPeers } from '@/lib/detect/test-events';

const P = '203.0.113.0/24';
const base = fromPeers(20, { prefix: P, path: [3356, 100] });

describe('origin_change', () => {
  const cases: { name: string; run: () => Promise<unknown[]>; expect: (c: any[]) => void }[] = [
    {
      name: 'a new origin seen by exactly minPeers (2) peers is an alert',
      run: () => detectWith(detectOriginChange, { baseline: base, events: fromPeers(2, { prefix: P, path: [174, 666] }) }),
      expect: (c) => {
        expect(c).toHaveLength(1);
        expect(c[0]).toMatchObject({ type: 'origin_change', prefix: P, originAsn: 666, baselineOrigins: [100], entityKey: `${P}|666` });
      },
    },
    { name: 'one peer (below threshold) is not', run: () => detectWith(detectOriginChange, { baseline: base, events: fromPeers(1, { prefix: P, path: [174, 666] }) }), expect: (c) => expect(c).toEqual([]) },
    {
      name: 'a MOAS prefix whose origins are both in the baseline is normal',
      run: () => detectWith(detectOriginChange, { baseline: [...base, ...fromPeers(5, { prefix: P, path: [174, 200] }, 30)], events: fromPeers(10, { prefix: P, path: [1299, 200] }) }),
      expect: (c) => expect(c).toEqual([]),
    },
    {
      name: 'an AS_SET origin with a baselined member is normal',
      run: () => detectWith(detectOriginChange, { baseline: base, events: [ev({ prefix: P, peer: 1, path: [64501, 3356, 100, 300], setTail: 2 }), ev({ prefix: P, peer: 2, path: [64502, 3356, 100, 300], setTail: 2 })] }),
      expect: (c) => expect(c).toEqual([]),
    },
    {
      name: 'an AS_SET of unknown members alerts with an undetermined origin and lower confidence',
      run: () => detectWith(detectOriginChange, { baseline: base, events: [1, 2, 3, 4].map((p) => ev({ prefix: P, peer: p, path: [64500 + p, 3356, 400, 500], setTail: 2 })) }),
      expect: (c) => {
        expect(c.at(-1)).toMatchObject({ originAsn: null, entityKey: `${P}|{400,500}` });
        expect(c.at(-1).confidence).toBeLessThan(0.5);
      },
    },
    {
      name: 'IPv6 works the same',
      run: () => detectWith(detectOriginChange, { baseline: fromPeers(10, { prefix: '2001:db8:1::/48', path: [6939, 100] }), events: fromPeers(3, { prefix: '2001:db8:1::/48', path: [6939, 666] }) }),
      expect: (c) => expect(c.map((x) => x.prefix)).toEqual(['2001:db8:1::/48', '2001:db8:1::/48']),
    },
    {
      name: 'confidence grows with independent peers and collectors; many of them make it critical',
      run: () => detectWith(detectOriginChange, { baseline: base, events: fromPeers(20, { prefix: P, path: [174, 666] }) }),
      expect: (c) => {
        const conf = c.map((x) => x.confidence);
        expect(conf).toEqual([...conf].sort((a, b) => a - b));
        expect(conf.at(-1)).toBe(1);
        expect(c.at(-1).severity).toBe('critical');
        expect(c[0].severity).toBe('high'); // 2 peers at 2 collectors: 0.26
      },
    },
    {
      name: 'an origin adjacent to the baseline origin (related ASes) gets lower confidence and is never critical',
      run: () => detectWith(detectOriginChange, { baseline: [...base, ...fromPeers(3, { prefix: '198.51.100.0/24', path: [100, 777] })], events: fromPeers(20, { prefix: P, path: [174, 777] }) }),
      expect: (c) => {
        expect(c.at(-1).confidence).toBe(0.5);
        expect(c.at(-1).severity).toBe('high');
        expect(c.at(-1).evidence.details.related).toBe(true);
      },
    },
    {
      name: 'a watched prefix ranks first (one band up); its allowed origins are no alert',
      run: async () => [
        ...(await detectWith(detectOriginChange, { baseline: base, events: fromPeers(2, { prefix: P, path: [174, 666] }), watch: { prefixes: [{ prefix: '203.0.112.0/23', allowedOrigins: [100], allowedUpstreams: [], ignoreMoreSpecifics: false }], asns: [] } })),
        ...(await detectWith(detectOriginChange, { baseline: base, events: fromPeers(2, { prefix: P, path: [174, 101] }), watch: { prefixes: [{ prefix: P, allowedOrigins: [100, 101], allowedUpstreams: [], ignoreMoreSpecifics: false }], asns: [] } })),
      ],
      expect: (c) => {
        expect(c).toHaveLength(1);
        expect(c[0]).toMatchObject({ watched: true, severity: 'critical' }); // high, bumped
      },
    },
    { name: 'a prefix without a baseline is left to more_specific', run: () => detectWith(detectOriginChange, { baseline: base, events: fromPeers(5, { prefix: '192.0.2.0/24', path: [174, 666] }) }), expect: (c) => expect(c).toEqual([]) },
  ];
  for (const t of cases) it(t.name, async () => t.expect(await t.run()));
});

describe('origin_change without known origins', () => {
  it('a baseline that saw only withdrawals of the prefix cannot call an origin new', async () => {
    const onlyWithdrawals = [ev({ prefix: P, peer: 1, withdraw: true }), ev({ prefix: P, peer: 2, withdraw: true })];
    expect(await detectWith(detectOriginChange, { baseline: onlyWithdrawals, events: fromPeers(5, { prefix: P, path: [174, 666] }) })).toEqual([]);
  });
});
