import { describe, expect, it } from 'vitest';
import { detectPathDeviation } from '@/lib/detect/rules/path-deviation';
import { detectWith, ev, fromPeers } from '@/lib/detect/test-events';

const P = '192.0.2.0/24';
const base = fromPeers(10, { prefix: P, path: [3356, 2914, 100] });
const viaPeers = (paths: number[][]) => paths.map((path, i) => ev({ prefix: P, peer: i + 1, path: [64501 + i, ...path] }));

describe('path_deviation', () => {
  it('prepending is not a path change', async () => {
    expect(await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([[3356, 2914, 100, 100, 100, 100, 100]]).concat(viaPeers([[3356, 3356, 2914, 100, 100]])) })).toEqual([]);
  });

  it('a path longer than the baseline by lengthJump hops (collapsed) alerts once minPeers saw it', async () => {
    const long = [3356, 2914, 7018, 701, 1239, 100];
    const c = await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([long, long]) });
    expect(c.map((x) => x.entityKey)).toContain(`${P}|length`);
    expect(await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([long]) })).toEqual([]);
    const oneShort = [3356, 2914, 7018, 701, 100];
    expect((await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([oneShort, oneShort]) })).map((x) => x.entityKey)).not.toContain(`${P}|length`);
  });

  it('a transit AS never seen for the prefix', async () => {
    const c = await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([[3356, 9999, 100], [3356, 9999, 100]]) });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ type: 'path_deviation', entityKey: `${P}|transit AS9999`, severity: 'medium' });
  });

  it('a valley (customer passing one upstream route to another) is flagged as heuristic', async () => {
    // In the baseline AS65010 is a customer of both 3356 and 1299: both carry its routes.
    const hints = [...fromPeers(5, { prefix: '203.0.113.0/24', path: [3356, 65010] }), ...fromPeers(5, { prefix: '203.0.113.0/24', path: [1299, 65010] }, 10)];
    const leak = [1299, 65010, 3356, 2914, 100];
    const c = await detectWith(detectPathDeviation, { baseline: [...base, ...hints], events: viaPeers([leak, leak]) });
    const v = c.find((x) => x.entityKey === `${P}|valley AS1299-AS65010-AS3356`);
    expect(v?.evidence.heuristic).toBe(true);
    expect(v?.summary).toMatch(/heuristic/);
  });

  it('IPv6 and AS_SET paths', async () => {
    const b6 = fromPeers(5, { prefix: '2001:db8::/32', path: [6939, 100] });
    const c = await detectWith(detectPathDeviation, {
      baseline: b6,
      events: [1, 2].map((p) => ev({ prefix: '2001:db8::/32', peer: p, path: [64500 + p, 6939, 4444, 100, 200], setTail: 2 })),
    });
    expect(c.map((x) => x.entityKey)).toEqual(['2001:db8::/32|transit AS4444']);
  });
});

describe('path_deviation with a watch list', () => {
  it('a watched prefix reached through an upstream not on its list alerts even when the path is in the baseline', async () => {
    const watch = { prefixes: [{ prefix: P, allowedOrigins: [100], allowedUpstreams: [174], ignoreMoreSpecifics: false }], asns: [] };
    const c = await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([[3356, 2914, 100], [3356, 2914, 100]]), watch });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ entityKey: `${P}|upstream AS2914`, watched: true, severity: 'high' });
    const allowed = await detectWith(detectPathDeviation, { baseline: base, events: viaPeers([[3356, 174, 100], [3356, 174, 100]]), watch });
    expect(allowed.map((x) => x.entityKey)).toEqual([`${P}|transit AS174`]); // new to the baseline, but an allowed upstream
  });
});
