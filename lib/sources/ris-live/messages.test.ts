import { describe, expect, it } from 'vitest';
import {
  normalizeCollectorName,
  parseServerFrame,
  parseServerFrameWithZod,
  reasonField,
  risClientFrameSchema,
  risSubscriptionSchema,
  type ParsedServerFrame,
} from '@/lib/sources/ris-live/messages';
import { RIS_2026_ANNOUNCEMENT, RIS_2026_IPV6_DUAL_NEXT_HOP, RIS_2026_WITHDRAWAL } from '@/lib/sources/ris-live/samples';
import { itWithRisFixtures, listRisFixtures, readRisFixture, risFixturesPresent } from '@/lib/sources/ris-live/test-fixtures';

const MAX = 1024 * 1024;

function expectSameResult(text: string): ParsedServerFrame {
  const fast = parseServerFrame(text, MAX);
  const ref = parseServerFrameWithZod(text, MAX);
  expect(fast.kind, text.slice(0, 300)).toBe(ref.kind);
  if (fast.kind === 'malformed' && ref.kind === 'malformed') {
    expect(reasonField(fast.reason), `${text.slice(0, 300)}\nfast: ${fast.reason}\nzod: ${ref.reason}`).toBe(reasonField(ref.reason));
  } else {
    expect(fast).toEqual(ref);
  }
  return fast;
}

function malformedReason(text: string): string {
  const r = expectSameResult(text);
  if (r.kind !== 'malformed') throw new Error(`expected malformed, got ${r.kind}`);
  return r.reason;
}

describe('parseServerFrame on the real captures', () => {
  itWithRisFixtures('accepts every well-formed line and agrees with zod', () => {
    const counts: Record<string, number> = {};
    const types: Record<string, number> = {};
    for (const file of listRisFixtures()) {
      for (const line of readRisFixture(file)) {
        const r = expectSameResult(line);
        counts[r.kind] = (counts[r.kind] ?? 0) + 1;
        if (r.kind === 'ris_message') types[r.data.type] = (types[r.data.type] ?? 0) + 1;
      }
    }
    // 1k firehose (994 UPDATE + 6 KEEPALIVE), 1-, 10-, 20-message and AS_SET files (all UPDATE);
    // libbgpstream: UPDATE, RIS_PEER_STATE, OPEN, NOTIFICATION, KEEPALIVE, a ris_error and a
    // truncated KEEPALIVE line.
    expect(counts).toEqual({ ris_message: 1000 + 1 + 10 + 20 + 1 + 5, ris_error: 1, malformed: 1 });
    expect(types).toEqual({ UPDATE: 994 + 1 + 10 + 20 + 1 + 1, KEEPALIVE: 6 + 1, OPEN: 1, NOTIFICATION: 1, RIS_PEER_STATE: 1 });
  });

  itWithRisFixtures('reports the truncated libbgpstream line as invalid JSON', () => {
    const lines = readRisFixture('libbgpstream-ris-live-stream.ndjson');
    const r = parseServerFrame(lines.at(-1)!, MAX);
    expect(r.kind).toBe('malformed');
    expect(r.kind === 'malformed' && r.reason).toMatch(/^invalid JSON/);
    const err = parseServerFrame(lines[2]!, MAX);
    expect(err).toEqual({ kind: 'ris_error', message: 'this is a test error message' });
  });
});

const BAD_VALUES: unknown[] = [null, 'x', '', 1.5, -1, 0, 1e20, [], {}, true, [[1, 2]], ['x'], [1, 'x'], '10.0.0.0/8', '2001:db8::1', '64496'];

/** Every single-field change of a message: deletions and replacements, at top level and nested. */
function* mutations(frame: { type: string; data: Record<string, unknown> }): Generator<unknown> {
  const data = frame.data;
  for (const key of [...Object.keys(data), 'state', 'notification', 'type']) {
    const { [key]: _dropped, ...rest } = data;
    yield { ...frame, data: rest };
    for (const v of BAD_VALUES) yield { ...frame, data: { ...data, [key]: v } };
  }
  const arrays = ['path', 'community', 'announcements', 'withdrawals'] as const;
  for (const key of arrays) {
    const arr = data[key];
    if (!Array.isArray(arr) || arr.length === 0) continue;
    for (const v of BAD_VALUES) yield { ...frame, data: { ...data, [key]: [...arr.slice(0, -1), v] } };
  }
  const ann = data.announcements;
  if (Array.isArray(ann) && ann.length > 0) {
    const a = ann[0] as Record<string, unknown>;
    for (const k of ['next_hop', 'prefixes']) {
      const { [k]: _d, ...rest } = a;
      yield { ...frame, data: { ...data, announcements: [rest, ...ann.slice(1)] } };
      for (const v of BAD_VALUES) yield { ...frame, data: { ...data, announcements: [{ ...a, [k]: v }, ...ann.slice(1)] } };
    }
  }
  const comm = data.community;
  if (Array.isArray(comm) && comm.length > 0) {
    for (const v of BAD_VALUES) yield { ...frame, data: { ...data, community: [[v, 1]] } };
    yield { ...frame, data: { ...data, community: [[1, 2, 3]] } };
  }
  for (const v of BAD_VALUES) {
    yield { ...frame, data: v };
    yield { ...frame, type: v };
    yield v;
  }
}

describe('fast validator ≡ zod schemas', () => {
  const frames: string[] = [RIS_2026_ANNOUNCEMENT, RIS_2026_WITHDRAWAL, RIS_2026_IPV6_DUAL_NEXT_HOP];
  if (risFixturesPresent) {
    for (const file of listRisFixtures()) {
      const lines = readRisFixture(file);
      frames.push(...(file.includes('1k') ? lines.slice(0, 60) : lines));
    }
  }

  it('accept/reject the same mutated frames and name the same field', () => {
    let checked = 0;
    let malformed = 0;
    for (const text of frames) {
      let frame: { type: string; data: Record<string, unknown> };
      try {
        frame = JSON.parse(text) as typeof frame;
      } catch {
        continue;
      }
      for (const m of mutations(frame)) {
        const r = expectSameResult(JSON.stringify(m));
        checked++;
        if (r.kind === 'malformed') malformed++;
      }
    }
    // Sanity: the mutations really exercised both outcomes (far more frames with the captures).
    expect(checked).toBeGreaterThan(risFixturesPresent ? 5000 : 100);
    expect(malformed).toBeGreaterThan(checked / 3);
    expect(checked - malformed).toBeGreaterThan(risFixturesPresent ? 500 : 20);
  });
});

describe('parseServerFrame: 2026 wire shape and protocol frames', () => {
  it('accepts the 2026 announcement and withdrawal shapes', () => {
    const a = expectSameResult(RIS_2026_ANNOUNCEMENT);
    expect(a.kind).toBe('ris_message');
    if (a.kind === 'ris_message' && a.data.type === 'UPDATE') {
      expect(a.data.host).toBe('rrc21.ripe.net');
      expect(a.data.withdrawals).toEqual([]);
    }
    expect(expectSameResult(RIS_2026_WITHDRAWAL).kind).toBe('ris_message');
  });

  it('keeps unknown extra keys and accepts peer_asn as a number', () => {
    const text = RIS_2026_ANNOUNCEMENT.replace('"peer_asn":"50628"', '"peer_asn":50628,"future_key":{"a":1}');
    const r = expectSameResult(text);
    expect(r.kind === 'ris_message' && r.data.future_key).toEqual({ a: 1 });
  });

  it('parses pong, ris_subscribe_ok and ris_rrc_list', () => {
    expect(expectSameResult('{"type":"pong","data":null}')).toEqual({ kind: 'pong' });
    expect(expectSameResult('{"type":"pong"}')).toEqual({ kind: 'pong' });
    const ok = '{"type":"ris_subscribe_ok","data":{"subscription":{"host":"rrc21"},"socketOptions":{"acknowledge":true}}}';
    expect(expectSameResult(ok)).toEqual({ kind: 'ris_subscribe_ok', data: { subscription: { host: 'rrc21' }, socketOptions: { acknowledge: true } } });
    expect(expectSameResult('{"type":"ris_rrc_list","data":["rrc00","rrc21.ripe.net"]}')).toEqual({
      kind: 'ris_rrc_list',
      data: ['rrc00', 'rrc21.ripe.net'],
    });
  });

  it('names the failing field', () => {
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"timestamp":1787141896.080,', ''))).toMatch(/^invalid data\.timestamp:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('1787141896.080', '"1787141896.080"'))).toMatch(/^invalid data\.timestamp:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"peer_asn":"50628"', '"peer_asn":"AS50628"'))).toMatch(/^invalid data\.peer_asn:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"peer_asn":"50628"', '"peer_asn":"4294967296"'))).toMatch(/^invalid data\.peer_asn:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"peer":"37.49.237.143"', '"peer":"37.49.237"'))).toMatch(/^invalid data\.peer:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"next_hop":"37.49.237.143"', '"next_hop":7'))).toMatch(
      /^invalid data\.announcements\.0\.next_hop:/,
    );
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('[6453,86]', '[6453,"86"]'))).toMatch(/^invalid data\.community\.0\.1:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"path":[50628,', '"path":["50628",'))).toMatch(/^invalid data\.path\.0:/);
    expect(malformedReason(RIS_2026_ANNOUNCEMENT.replace('"type":"UPDATE"', '"type":"ROUTE-REFRESH"'))).toMatch(/^invalid data\.type:/);
    expect(malformedReason('{"type":"ris_message"}')).toMatch(/^invalid data:/);
    expect(malformedReason('{"type":"ris_error","data":{}}')).toMatch(/^invalid data\.message:/);
    expect(malformedReason('{"type":"ris_rrc_list","data":["rrc00",1]}')).toMatch(/^invalid data\.1:/);
  });

  it('rejects unknown frame types, non-objects and invalid JSON', () => {
    expect(malformedReason('{"type":"ris_surprise","data":{}}')).toBe('unknown frame type "ris_surprise"');
    expect(malformedReason('{"data":{}}')).toBe('unknown frame type undefined');
    expect(malformedReason('[1,2]')).toMatch(/^invalid frame:/);
    expect(malformedReason('"hello"')).toMatch(/^invalid frame:/);
    expect(malformedReason('{"type":"ris_message","data":{"timest')).toMatch(/^invalid JSON/);
    expect(malformedReason('')).toMatch(/^invalid JSON/);
  });

  it('rejects frames over the byte limit before parsing, counting UTF-8 bytes', () => {
    const giant = `{"type":"pong","data":"${'x'.repeat(2 * MAX)}"}`;
    expect(parseServerFrame(giant, MAX)).toEqual({ kind: 'malformed', reason: `frame too large (> ${MAX} bytes)` });
    // 400 chars of "é" are 800 bytes: over a 600-byte limit although under it in characters.
    const wide = `{"type":"pong","data":"${'é'.repeat(400)}"}`;
    expect(parseServerFrame(wide, 600).kind).toBe('malformed');
    expect(parseServerFrame(wide, 1000)).toEqual({ kind: 'pong' });
  });
});

describe('normalizeCollectorName', () => {
  it('strips the domain of 2025+ host names', () => {
    expect(normalizeCollectorName('rrc21.ripe.net')).toBe('rrc21');
    expect(normalizeCollectorName('rrc21')).toBe('rrc21');
    expect(normalizeCollectorName('RRC00.RIPE.NET')).toBe('rrc00');
    expect(normalizeCollectorName('route-views2')).toBe('route-views2');
  });
});

describe('client frame schemas', () => {
  it('accepts the documented client frames', () => {
    const frames = [
      '{"type":"ris_subscribe","data":{"host":"rrc21","type":"UPDATE","path":"3356","prefix":["193.0.0.0/16","2001:67c::/32"],"moreSpecific":true,"lessSpecific":false,"require":"announcements","socketOptions":{"includeRaw":true,"acknowledge":true}}}',
      '{"type":"ris_unsubscribe","data":{"host":"rrc21","type":"UPDATE","path":"3356","prefix":"193.0.0.0/16"}}',
      '{"type":"request_rrc_list","data":null}',
      '{"type":"ping","data":null}',
      '{"type":"ris_subscribe","data":{"path":8369}}',
    ];
    for (const f of frames) expect(risClientFrameSchema.safeParse(JSON.parse(f)).success, f).toBe(true);
  });

  it('rejects typos and invalid values in subscriptions', () => {
    expect(risSubscriptionSchema.safeParse({ type: 'UPDATE' }).success).toBe(true);
    expect(risSubscriptionSchema.safeParse({}).success).toBe(true);
    for (const bad of [
      { moreSpecfic: true },
      { type: 'update' },
      { prefix: '193.0.0.1/16' },
      { prefix: [] },
      { prefix: ['193.0.0.0/16', 'x'] },
      { peer: 'rrc21' },
      { path: -1 },
      { socketOptions: { includeRaw: 'yes' } },
    ]) {
      expect(risSubscriptionSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
