import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_STREAM_META, generateDemoStream, incidentSchedule, INCIDENT_PREFIXES, type DemoOptionsInput } from '@/lib/demo/generator';
import { parseServerFrame, type RisMessageData, type RisUpdateData } from '@/lib/sources/ris-live/messages';
import { parsePrefix } from '@/lib/bgp/prefix';
import { normalizeRisMessageDetailed } from '@/lib/sources/ris-live/normalize';
import { DEMO_COLLECTORS } from '@/lib/demo/topology';

const small: DemoOptionsInput = { seed: 7, baselineMinutes: 2, incidentMinutes: 2, prefixCount: 800, peerCount: 40, messagesPerSecond: 30 };

function digest(opts: DemoOptionsInput): { hash: string; lines: number } {
  const h = createHash('sha256');
  let lines = 0;
  for (const line of generateDemoStream(opts)) {
    h.update(line).update('\n');
    lines++;
  }
  return { hash: h.digest('hex'), lines };
}

function parseAll(opts: DemoOptionsInput): RisMessageData[] {
  const out: RisMessageData[] = [];
  for (const line of generateDemoStream(opts)) {
    const f = parseServerFrame(line, 1 << 20);
    if (f.kind !== 'ris_message') throw new Error(`not a ris_message: ${JSON.stringify(f)} for ${line}`);
    out.push(f.data);
  }
  return out;
}

const ts = (d: { timestamp: number }) => Math.round(d.timestamp * 1000);
const updates = (all: RisMessageData[]) => all.filter((d): d is RisUpdateData => d.type === 'UPDATE');
const announced = (u: RisUpdateData) => new Set((u.announcements ?? []).flatMap((a) => a.prefixes));
const lastHop = (u: RisUpdateData) => u.path?.[u.path.length - 1];

describe('generateDemoStream', () => {
  it('is deterministic: same options give byte-identical output, another seed does not', () => {
    const a = digest(small);
    const b = digest(small);
    expect(b).toEqual(a);
    expect(a.lines).toBeGreaterThan(1000);
    expect(digest({ ...small, seed: 8 }).hash).not.toBe(a.hash);
  });

  const all = parseAll(small);
  const schedule = incidentSchedule({ startTimeMs: Date.UTC(2026, 0, 1), baselineMinutes: 2, incidentMinutes: 2 });

  it('writes every line as a valid 2026-shape server frame, in time order', () => {
    const lines = [...generateDemoStream(small)];
    expect(lines).toHaveLength(all.length);
    for (const line of lines.slice(0, 200)) {
      expect(line).toMatch(/^\{"type":"ris_message","data":\{"timestamp":\d+\.\d{3},"peer":"[^"]+","peer_asn":"\d+","id":"[^"]+-[0-9a-f]{16}","host":"rrc\d\d\.ripe\.net"/);
    }
    for (let i = 1; i < all.length; i++) expect(ts(all[i]!)).toBeGreaterThanOrEqual(ts(all[i - 1]!));
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    expect(ts(all[0]!)).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1));
    expect(ts(all[all.length - 1]!)).toBeLessThan(schedule.endMs);
  });

  it('looks like a realistic baseline: many peers, collectors, prefixes, both families, churn', () => {
    const ups = updates(all);
    const peers = new Set(ups.map((u) => u.peer));
    const collectors = new Set(ups.map((u) => u.host));
    const prefixes = new Set(ups.flatMap((u) => [...announced(u), ...(u.withdrawals ?? [])]));
    expect(peers.size).toBeGreaterThanOrEqual(35);
    expect(collectors.size).toBeGreaterThanOrEqual(8);
    expect(prefixes.size).toBeGreaterThan(300);
    expect([...prefixes].some((p) => p.includes(':'))).toBe(true);
    expect([...prefixes].some((p) => !p.includes(':'))).toBe(true);
    expect(ups.filter((u) => (u.withdrawals ?? []).length > 0).length).toBeGreaterThan(50);
    expect(ups.some((u) => u.med != null)).toBe(true);
    expect(ups.some((u) => (u.community ?? []).length > 0)).toBe(true);
    // Announced prefixes are canonical; withdrawals may use the non-canonical IPv6 form like RIS.
    for (const u of ups) for (const p of announced(u)) expect(parsePrefix(p).canonical).toBe(p);
    // IPv6 announcements come twice: global next hop, then link-local.
    const v6 = ups.find((u) => u.peer.includes(':') && (u.announcements ?? []).length > 0)!;
    expect(v6.announcements).toHaveLength(2);
    expect(v6.announcements![1]!.next_hop).toMatch(/^fe80::/);
    expect(v6.announcements![0]!.prefixes).toEqual(v6.announcements![1]!.prefixes);
    // 2026 wire: upper-case origin, empty arrays on pure withdrawals.
    expect(ups.some((u) => u.origin === 'IGP')).toBe(true);
    const w = ups.find((u) => (u.withdrawals ?? []).length > 0)!;
    expect(w.path).toEqual([]);
    expect(w.announcements).toEqual([]);
  });

  it('ends with the hijack, the counter-announcements and the withdrawal, in the real order', () => {
    const ups = updates(all);
    const v4Peers = new Set(ups.filter((u) => !u.peer.includes(':')).map((u) => u.peer));
    const normal = ups.filter((u) => announced(u).has(INCIDENT_PREFIXES.victimCovering));
    expect(normal.length).toBeGreaterThan(5);
    expect(normal.every((u) => lastHop(u) === 36561 && ts(u) < schedule.incidentStartMs)).toBe(true);

    const hijack = ups.filter((u) => announced(u).has(INCIDENT_PREFIXES.hijacked) && lastHop(u) === 17557);
    expect(hijack.every((u) => u.path!.at(-2) === 3491)).toBe(true);
    // "propagating to most peers"
    expect(new Set(hijack.map((u) => u.peer)).size).toBeGreaterThanOrEqual(0.75 * v4Peers.size);
    const victim24 = ups.filter((u) => announced(u).has(INCIDENT_PREFIXES.hijacked) && lastHop(u) === 36561);
    const victim25 = ups.filter((u) => INCIDENT_PREFIXES.victimMoreSpecifics.every((p) => announced(u).has(p)));
    const withdrawn = ups.filter((u) => (u.withdrawals ?? []).includes(INCIDENT_PREFIXES.hijacked));
    expect(victim24.length).toBeGreaterThan(5);
    expect(victim25.length).toBeGreaterThan(5);
    expect(victim25.every((u) => lastHop(u) === 36561)).toBe(true);

    const first = (xs: RisUpdateData[]) => Math.min(...xs.map(ts));
    const last = (xs: RisUpdateData[]) => Math.max(...xs.map(ts));
    expect(first(hijack)).toBeGreaterThanOrEqual(schedule.hijackMs);
    expect(last(hijack)).toBeLessThan(schedule.victimSameLengthMs);
    expect(first(victim24)).toBeGreaterThanOrEqual(schedule.victimSameLengthMs);
    expect(first(victim25)).toBeGreaterThanOrEqual(schedule.victimMoreSpecificsMs);
    // After PCCW's withdrawal every peer that still used the hijack moves away from it.
    const after = ups.filter((u) => ts(u) >= schedule.hijackWithdrawnMs && u.peer && (announced(u).has(INCIDENT_PREFIXES.hijacked) || (u.withdrawals ?? []).includes(INCIDENT_PREFIXES.hijacked)));
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((u) => lastHop(u) === 36561 || (u.withdrawals ?? []).length > 0)).toBe(true);
    const lastRouteOf = new Map<string, number | undefined>();
    for (const u of ups) {
      if (announced(u).has(INCIDENT_PREFIXES.hijacked)) lastRouteOf.set(u.peer, lastHop(u) as number);
      if ((u.withdrawals ?? []).includes(INCIDENT_PREFIXES.hijacked)) lastRouteOf.set(u.peer, undefined);
    }
    expect([...lastRouteOf.values()].filter((o) => o === 17557)).toHaveLength(0);
    expect(withdrawn.every((u) => ts(u) >= schedule.hijackWithdrawnMs)).toBe(true);
  });

  it('normalizes cleanly: no skipped prefixes, no host bits, one event per prefix and peer', () => {
    let events = 0;
    let announcedPrefixes = 0;
    for (const d of all) {
      const r = normalizeRisMessageDetailed(d, { storeRaw: false });
      expect(r.skipped).toEqual([]);
      expect(r.hostBitsZeroed).toBe(0);
      for (const e of r.events) expect(DEMO_COLLECTORS).toContain(e.collector);
      if (d.type === 'UPDATE') {
        // IPv6 announcements are listed twice (global + link-local next hop) but are one event each.
        announcedPrefixes += announced(d).size + (d.withdrawals ?? []).length;
      }
      events += r.events.length;
    }
    expect(events).toBe(announcedPrefixes);
    expect(events).toBeGreaterThan(all.length);
  });

  it('orders the compressed milestones like the real ones', () => {
    expect(schedule.incidentStartMs).toBe(Date.UTC(2026, 0, 1) + 120_000);
    expect(schedule.hijackMs).toBeGreaterThan(schedule.incidentStartMs);
    expect(schedule.victimSameLengthMs).toBeGreaterThan(schedule.hijackMs);
    expect(schedule.victimMoreSpecificsMs).toBeGreaterThan(schedule.victimSameLengthMs);
    expect(schedule.hijackWithdrawnMs).toBeGreaterThan(schedule.victimMoreSpecificsMs);
    expect(schedule.endMs).toBeGreaterThan(schedule.hijackWithdrawnMs);
  });

  it('rejects bad options with a clear error', () => {
    expect(() => [...generateDemoStream({ peerCount: 2 })]).toThrow(/peerCount/);
    expect(() => [...generateDemoStream({ messagesPerSecond: -1 })]).toThrow(/messagesPerSecond/);
  });

  it('labels itself as simulated', () => {
    expect(DEMO_STREAM_META.simulated).toBe(true);
    expect(DEMO_STREAM_META.description).toMatch(/simulated/i);
    expect(DEMO_STREAM_META.incident.hijackedPrefix).toBe('208.65.153.0/24');
  });
});
