import { describe, expect, it } from 'vitest';
import { detectMassWithdrawal } from '@/lib/detect/rules/mass-withdrawal';
import { detectWith, ev, fromPeers, sec } from '@/lib/detect/test-events';

const P = '198.51.100.0/24';
const withdrawals = (peers: number, spacingS = 1, prefix = P) => Array.from({ length: peers }, (_, k) => ev({ prefix, peer: k + 1, withdraw: true, at: sec(k * spacingS) }));

describe('mass_withdrawal', () => {
  const warm = fromPeers(20, { prefix: P, path: [3356, 100], at: sec(-100) });

  it('one prefix withdrawn by exactly minPeersPerPrefix (10) peers within the window alerts; 9 do not', async () => {
    const c = await detectWith(detectMassWithdrawal, { baseline: warm, warm, events: withdrawals(10) });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ type: 'mass_withdrawal', entityKey: P, prefix: P, originAsn: 100, severity: 'high', startedAtUs: sec(0) });
    expect(await detectWith(detectMassWithdrawal, { baseline: warm, warm, events: withdrawals(9) })).toEqual([]);
  });

  it('spread over more than the window it is churn, not an outage', async () => {
    expect(await detectWith(detectMassWithdrawal, { baseline: warm, warm, events: withdrawals(20, 10) })).toEqual([]);
  });

  it("withdrawals of a route nobody announced don't count", async () => {
    expect(await detectWith(detectMassWithdrawal, { baseline: warm, events: withdrawals(20) })).toEqual([]);
  });

  it('a prefix that normally flaps this much is not alerted', async () => {
    const flappy = [...warm, ...Array.from({ length: 200 }, (_, k) => ev({ prefix: P, peer: 1 + (k % 20), withdraw: true, at: sec(-3000 + k) }))];
    expect(await detectWith(detectMassWithdrawal, { baseline: flappy, warm, events: withdrawals(12) })).toEqual([]);
  });

  it('many prefixes of one origin withdrawn together: exactly at minPrefixesPerOrigin alerts, one fewer does not', async () => {
    const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`);
    const routes = (n: number) => prefixes(n).map((p) => ev({ prefix: p, peer: 1, path: [64501, 3356, 100], at: sec(-50) }));
    const gone = (n: number) => prefixes(n).map((p, i) => ev({ prefix: p, peer: 1, withdraw: true, at: sec(i * 0.1) }));
    const c = await detectWith(detectMassWithdrawal, { baseline: routes(60), warm: routes(60), events: gone(50) });
    expect(c.filter((x) => x.entityKey === 'AS100')).toHaveLength(1);
    expect(c.find((x) => x.entityKey === 'AS100')).toMatchObject({ prefix: null, originAsn: 100, severity: 'medium' });
    expect(await detectWith(detectMassWithdrawal, { baseline: routes(60), warm: routes(60), events: gone(49) })).toEqual([]);
  });
});
