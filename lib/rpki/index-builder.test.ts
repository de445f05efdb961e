import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInProcess, VrpIndexBuilder } from '@/lib/rpki/index-builder';
import { syntheticRoutes, syntheticVrps } from '@/lib/rpki/synthetic';
import type { Vrp } from '@/lib/rpki/types';

const builder = new VrpIndexBuilder({ logger: pino({ level: 'silent' }) });
afterAll(() => builder.close());

describe('VrpIndexBuilder (worker thread)', () => {
  it('builds off-thread an index that answers exactly like one built in process', async () => {
    const vrps: Vrp[] = [...syntheticVrps(20_000, 5), { prefix: '10.0.0.0/24', maxLength: 16, asn: 1 }, { prefix: 'bogus', maxLength: 8, asn: 1 }];
    const off = await builder.build(vrps);
    const local = buildInProcess(vrps);
    expect(off.offThread).toBe(true);
    expect(off.index.size).toBe(local.index.size);
    expect(off.index.counts).toEqual(local.index.counts);
    expect(off.rejectedCount).toBe(2);
    expect(off.rejected.map((r) => r.vrp.prefix)).toEqual(['10.0.0.0/24', 'bogus']);
    expect(off.duplicates).toBe(local.duplicates);
    for (const r of syntheticRoutes(local.index.allVrps(), 5_000, 6)) {
      expect(off.index.validate(r.prefix, r.origin)).toEqual(local.index.validate(r.prefix, r.origin));
    }
    expect(off.index.allVrps()).toEqual(local.index.allVrps());
  }, 30_000);

  it('keeps the event loop turning while the worker builds', async () => {
    const vrps = syntheticVrps(150_000, 7);
    let turns = 0;
    let sent = false;
    let spinning = true;
    // Counts event-loop turns after the last chunk went out, i.e. while the worker sorts and builds.
    const spin = () => {
      if (sent) turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const building = builder.build(vrps, { onSent: () => (sent = true) });
    const built = await building;
    spinning = false;
    expect(built.offThread).toBe(true);
    expect(built.index.size).toBe(buildInProcess(vrps).index.size);
    // An in-process build is one synchronous call: zero turns could happen during it.
    expect(sent).toBe(true);
    expect(turns).toBeGreaterThan(0);
  }, 30_000);

  it('runs builds one after another in request order', async () => {
    const a = syntheticVrps(1_000, 8);
    const b = syntheticVrps(2_000, 9);
    const [ra, rb] = await Promise.all([builder.build(a), builder.build(b)]);
    expect(ra.index.size).toBe(buildInProcess(a).index.size);
    expect(rb.index.size).toBe(buildInProcess(b).index.size);
  });

  it('close() abandons a build in flight (no in-process fallback) and refuses later builds', async () => {
    const b = new VrpIndexBuilder({ logger: pino({ level: 'silent' }) });
    const building = b.build(syntheticVrps(50_000, 10));
    await b.close();
    await expect(building).rejects.toThrow('index builder closed');
    await expect(b.build([])).rejects.toThrow('index builder closed');
  });

  it('falls back to building in process when asked to', async () => {
    const local = new VrpIndexBuilder({ logger: pino({ level: 'silent' }), offThread: false });
    const r = await local.build([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 }]);
    expect(r.offThread).toBe(false);
    expect(r.index.validate('192.0.2.0/24', 64500).state).toBe('valid');
    await local.close();
  });
});
