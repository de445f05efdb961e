import { describe, expect, it } from 'vitest';
import type { BgpEvent } from '@/lib/bgp/types';
import { revalidateInSlices } from '@/lib/rpki/revalidate';
import { RouteTable } from '@/lib/rpki/route-table';
import { syntheticRoutes, syntheticVrps } from '@/lib/rpki/synthetic';
import { validateEvents } from '@/lib/rpki/validate-events';
import { VrpIndex } from '@/lib/rpki/vrp-index';

function tableOf(index: VrpIndex, n: number): RouteTable {
  const routes = syntheticRoutes(index.allVrps(), n, 3);
  const events = routes.map((r, i) => ({ eventType: 'announcement', prefix: r.prefix, originAsn: r.origin, collector: 'rrc00', peerIp: `10.0.0.${i % 200}`, timestampUs: i }) as unknown as BgpEvent);
  const t = new RouteTable();
  t.observe(events, validateEvents(events, index));
  return t;
}

describe('revalidateInSlices', () => {
  const vrps = syntheticVrps(5_000, 2);
  const before = VrpIndex.build(vrps).index;
  const after = VrpIndex.build(vrps.filter((_, i) => i % 7 !== 0)).index;

  it('finds exactly the changes of a one-shot pass, across many small slices', async () => {
    const a = tableOf(before, 20_000);
    const b = tableOf(before, 20_000);
    const sliced = await revalidateInSlices(a, after, { step: 500, sliceMs: 0 });
    const oneShot = b.revalidate(after);
    expect(oneShot.length).toBeGreaterThan(0);
    // Order differs (each slice runs IPv4 then IPv6): compare as sets.
    const key = (c: { prefix: string; origin: number | null; verdict: number }) => `${c.prefix}|${c.origin}|${c.verdict}`;
    expect(sliced!.map(key).sort()).toEqual(oneShot.map(key).sort());
    expect(a.counts()).toEqual(b.counts());
  });

  it('stops with null when cancelled between slices', async () => {
    const t = tableOf(before, 20_000);
    let slices = 0;
    const r = await revalidateInSlices(t, after, { step: 500, sliceMs: 0, cancelled: () => ++slices > 3 });
    expect(r).toBeNull();
  });
});
