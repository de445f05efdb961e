import { describe, expect, it } from 'vitest';
import { RouteState } from '@/lib/detect/route-state';
import { ev } from '@/lib/detect/test-events';

describe('RouteState', () => {
  it('reports what each event changed: announce, refresh, origin change, withdrawal', () => {
    const s = new RouteState();
    expect(s.apply(ev({ prefix: '10.0.0.0/8', path: [1, 2, 100] }))).toMatchObject({ kind: 'announce', origin: 100, previousOrigin: null });
    expect(s.apply(ev({ prefix: '10.0.0.0/8', path: [1, 3, 100] }))).toMatchObject({ kind: 'refresh', origin: 100 });
    expect(s.apply(ev({ prefix: '10.0.0.0/8', path: [1, 666] }))).toMatchObject({ kind: 'origin_changed', origin: 666, previousOrigin: 100 });
    expect(s.apply(ev({ prefix: '10.0.0.0/8', withdraw: true }))).toMatchObject({ kind: 'withdraw', previousOrigin: 666 });
    expect(s.apply(ev({ prefix: '10.0.0.0/8', withdraw: true }))).toMatchObject({ kind: 'withdraw_unknown' });
    expect(s.visiblePeers(s.prefixId('10.0.0.0/8')!)).toBe(0);
  });

  it('counts peers and collectors per prefix and origin, MOAS and AS_SET (undetermined) included', () => {
    const s = new RouteState({ maxPeers: 100 });
    for (let p = 1; p <= 40; p++) s.apply(ev({ prefix: '2001:db8::/32', peer: p, path: [p, p % 2 ? 100 : 200] }));
    s.apply(ev({ prefix: '2001:db8::/32', peer: 41, path: [41, 7, 8], setTail: 2 }));
    const id = s.prefixId('2001:db8::/32')!;
    expect(s.visiblePeers(id)).toBe(41);
    expect(s.peersWithOrigin(id, 100)).toBe(20);
    expect(s.peersWithOrigin(id, 200)).toBe(20);
    expect(s.peersWithOrigin(id, null)).toBe(1);
    expect(s.origins(id).map((o) => o.origin).slice(0, 2).sort()).toEqual([100, 200]);
    expect(s.visibleCollectors(id)).toBe(4);
    expect(s.visibleCollectors(id, 100)).toBe(2); // odd peers: rrc01, rrc03
    expect(s.peerIdsOf(id, 100, 5)).toHaveLength(5);
    expect(s.peakPeers(id)).toBe(41);
  });

  it('reuses freed blocks and counts events beyond the peer capacity instead of failing', () => {
    const s = new RouteState({ maxPeers: 32 });
    for (let i = 0; i < 100; i++) {
      s.apply(ev({ prefix: `10.${i}.0.0/16`, peer: 1 }));
      s.apply(ev({ prefix: `10.${i}.0.0/16`, peer: 1, withdraw: true }));
    }
    expect(s.blocksAllocated).toBe(1);
    for (let p = 1; p <= 33; p++) s.apply(ev({ prefix: '10.0.0.0/16', peer: p }));
    expect(s.overflowEvents).toBe(1);
    expect(s.visiblePeers(s.prefixId('10.0.0.0/16')!)).toBe(32);
  });

  it('drops the routes of a peer whose session went down', () => {
    const s = new RouteState();
    for (let i = 0; i < 10; i++) for (const p of [1, 2]) s.apply(ev({ prefix: `10.${i}.0.0/16`, peer: p }));
    expect(s.clearPeer('rrc01', '192.0.2.1')).toBe(10);
    expect(s.visiblePeers(s.prefixId('10.3.0.0/16')!)).toBe(1);
  });

  it('checkpoint → restore gives the same state, and it keeps working', () => {
    const s = new RouteState({ maxPeers: 64 });
    for (let i = 0; i < 300; i++) for (let p = 1; p <= 1 + (i % 7); p++) s.apply(ev({ prefix: `10.${i >> 8}.${i & 255}.0/24`, peer: p, path: [p, 100 + (i % 3)] }));
    s.apply(ev({ prefix: '10.0.5.0/24', peer: 1, withdraw: true }));
    const r = RouteState.restore(s.checkpoint());
    expect(r.prefixCount).toBe(s.prefixCount);
    for (let i = 0; i < 300; i++) {
      const p = `10.${i >> 8}.${i & 255}.0/24`;
      expect(r.origins(r.prefixId(p)!)).toEqual(s.origins(s.prefixId(p)!));
      expect(r.visibleCollectors(r.prefixId(p)!)).toBe(s.visibleCollectors(s.prefixId(p)!));
      expect(r.peakPeers(r.prefixId(p)!)).toBe(s.peakPeers(s.prefixId(p)!));
    }
    expect(r.apply(ev({ prefix: '10.0.6.0/24', peer: 1, path: [1, 100] }))).toMatchObject({ kind: 'refresh' });
    expect(r.apply(ev({ prefix: '10.9.9.0/24', peer: 70 }))).toMatchObject({ kind: 'announce' });
  });

  it('rejects a buffer that is not a checkpoint, and a truncated one', () => {
    expect(() => RouteState.restore(Buffer.from('hello world'))).toThrow(/not a route state checkpoint/);
    const s = new RouteState();
    s.apply(ev({ prefix: '10.0.0.0/8' }));
    const buf = s.checkpoint();
    expect(() => RouteState.restore(buf.subarray(0, buf.length - 3))).toThrow(/truncated/);
  });
});
