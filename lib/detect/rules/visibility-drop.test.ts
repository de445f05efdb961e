import { describe, expect, it } from 'vitest';
import { detectVisibilityDrop } from '@/lib/detect/rules/visibility-drop';
import { detectWith, ev, fromPeers, sec } from '@/lib/detect/test-events';

const P = '2001:db8:100::/48';
const seen = fromPeers(20, { prefix: P, path: [6939, 100], at: sec(-100) });
const drop = (n: number) => Array.from({ length: n }, (_, k) => ev({ prefix: P, peer: k + 1, withdraw: true, at: sec(k) }));

describe('visibility_drop', () => {
  it('alerts at exactly the fraction (10 of 20 peers left), not one peer before', async () => {
    const c = await detectWith(detectVisibilityDrop, { baseline: seen, warm: seen, events: drop(10) });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ type: 'visibility_drop', prefix: P, severity: 'medium', confidence: 0.5 });
    expect(c[0]!.evidence.details).toMatchObject({ visible: 10, baselineMedianPeers: 20, peakPeers: 20 });
    expect(await detectWith(detectVisibilityDrop, { baseline: seen, warm: seen, events: drop(9) })).toEqual([]);
  });

  it('a large drop is high', async () => {
    const c = await detectWith(detectVisibilityDrop, { baseline: seen, warm: seen, events: drop(17) });
    expect(c.at(-1)?.severity).toBe('high');
  });

  it('a state that never saw many peers (fresh restart) does not call their absence a drop', async () => {
    const few = seen.slice(0, 5);
    expect(await detectWith(detectVisibilityDrop, { baseline: seen, warm: few, events: drop(5) })).toEqual([]);
  });

  it('prefixes with few peers in the baseline are not judged', async () => {
    const small = seen.slice(0, 8);
    expect(await detectWith(detectVisibilityDrop, { baseline: small, warm: seen, events: drop(18) })).toEqual([]);
  });
});
