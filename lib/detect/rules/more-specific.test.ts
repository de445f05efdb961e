import { describe, expect, it } from 'vitest';
import { detectMoreSpecific } from '@/lib/detect/rules/more-specific';
import { detectWith, fromPeers } from '@/lib/detect/test-events';

const COVER = '208.65.152.0/22';
const base = fromPeers(20, { prefix: COVER, path: [3356, 36561] });

describe('more_specific', () => {
  it('a more-specific from another origin at exactly minPeers (2) is a sub-prefix hijack suspicion', async () => {
    const c = await detectWith(detectMoreSpecific, { baseline: base, events: fromPeers(2, { prefix: '208.65.153.0/24', path: [3491, 17557] }) });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ type: 'more_specific', prefix: '208.65.153.0/24', originAsn: 17557, baselineOrigins: [36561], severity: 'high' });
    expect(c[0]!.evidence.details.covering).toBe(COVER);
  });

  it('one peer is below the threshold; many peers make it critical', async () => {
    expect(await detectWith(detectMoreSpecific, { baseline: base, events: fromPeers(1, { prefix: '208.65.153.0/24', path: [3491, 17557] }) })).toEqual([]);
    const c = await detectWith(detectMoreSpecific, { baseline: base, events: fromPeers(20, { prefix: '208.65.153.0/24', path: [3491, 17557] }) });
    expect(c.at(-1)?.severity).toBe('critical');
  });

  it("the covering prefix's own origin announcing a more-specific is deaggregation, not an alert — unless it bursts", async () => {
    expect(await detectWith(detectMoreSpecific, { baseline: base, events: fromPeers(10, { prefix: '208.65.153.0/24', path: [3356, 36561] }) })).toEqual([]);
    const burst = Array.from({ length: 10 }, (_, i) => fromPeers(2, { prefix: `208.65.${152 + (i >> 2)}.${(i & 3) * 64}/26`, path: [3356, 36561], at: 1e6 * i + 1767268800000000 })).flat();
    const c = await detectWith(detectMoreSpecific, { baseline: base, events: burst });
    expect(c.length).toBeGreaterThan(0);
    expect(c.every((x) => x.severity === 'medium' && x.evidence.details.burst === 10)).toBe(true);
  });

  it('watched prefixes with ignoreMoreSpecifics are skipped; other watched prefixes rank first', async () => {
    const watch = (ignore: boolean) => ({ prefixes: [{ prefix: COVER, allowedOrigins: [36561], allowedUpstreams: [], ignoreMoreSpecifics: ignore }], asns: [] });
    const ev = fromPeers(2, { prefix: '208.65.153.0/24', path: [3491, 17557] });
    expect(await detectWith(detectMoreSpecific, { baseline: base, events: ev, watch: watch(true) })).toEqual([]);
    expect((await detectWith(detectMoreSpecific, { baseline: base, events: ev, watch: watch(false) }))[0]).toMatchObject({ watched: true, severity: 'critical' });
  });

  it('IPv6, and a prefix with its own baseline is not a more-specific', async () => {
    const b6 = fromPeers(10, { prefix: '2001:db8::/32', path: [6939, 100] });
    const c = await detectWith(detectMoreSpecific, { baseline: b6, events: fromPeers(3, { prefix: '2001:db8:ff00::/40', path: [6939, 666] }) });
    expect(c.map((x) => x.entityKey)).toEqual(['2001:db8:ff00::/40|666', '2001:db8:ff00::/40|666']);
    const own = [...b6, ...fromPeers(3, { prefix: '2001:db8:ff00::/40', path: [6939, 100] })];
    expect(await detectWith(detectMoreSpecific, { baseline: own, events: fromPeers(3, { prefix: '2001:db8:ff00::/40', path: [6939, 666] }) })).toEqual([]);
  });
});
