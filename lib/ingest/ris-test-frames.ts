// Deterministic RIS Live frames (2026 wire shape) for integration tests, with the events each
// one must produce written out independently of the normalizer, so tests compare against what
// the wire says rather than against our own code. Not used by production code.

export interface ExpectedEvent {
  prefix: string;
  eventType: 'announcement' | 'withdrawal';
  peerIp: string;
  /** Event time in µs. */
  timestampUs: number;
}

export interface TestFrame {
  text: string;
  expected: ExpectedEvent[];
}

const BASE_S = 1_787_141_896; // 2026-08-19, like the real capture in PROTOCOLS.md

/** Message i of a stream: IPv4 and IPv6 announcements (v6 repeated per next hop) and withdrawals. */
export function testFrame(i: number, opts: { baseS?: number } = {}): TestFrame {
  const baseS = opts.baseS ?? BASE_S;
  const ms = i * 7; // several messages per second of event time
  const tsText = `${baseS + Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
  const timestampUs = (baseS * 1000 + ms) * 1000;
  const peerN = i % 7;
  const v6 = i % 4 === 3;
  const peer = v6 ? `2001:7f8:54::${peerN + 1}` : `192.0.2.${peerN + 1}`;
  const a = (i >> 8) & 255;
  const b = i & 255;
  const data: Record<string, unknown> = {
    timestamp: Number(tsText),
    peer,
    peer_asn: String(64500 + peerN),
    id: `${peer}-${i.toString(16).padStart(16, '0')}`,
    host: `rrc${String(i % 3).padStart(2, '0')}.ripe.net`,
    type: 'UPDATE',
  };
  const expected: ExpectedEvent[] = [];
  if (i % 5 === 4) {
    // Pure withdrawal, 2026 style with empty arrays present.
    const w = v6 ? [`2a0${peerN}:${(i * 3).toString(16)}::/48`] : [`100.${a}.${b}.0/24`, `100.${a}.${b}.128/25`];
    Object.assign(data, { path: [], community: [], announcements: [], withdrawals: w });
    for (const p of w) expected.push({ prefix: p, eventType: 'withdrawal', peerIp: peer, timestampUs });
  } else if (v6) {
    // IPv6: same prefixes once per next hop (global + link-local); one prefix written non-canonically.
    const canonical = `2a0${peerN}:${(i * 3).toString(16)}::/48`;
    const wire = `2a0${peerN}:${(i * 3).toString(16)}:0:0:0:0:0:0/48`;
    Object.assign(data, {
      path: [64500 + peerN, 6939, 65000 + (i % 1000)],
      community: [[6939, 1000]],
      origin: 'IGP',
      announcements: [
        { next_hop: peer, prefixes: [wire] },
        { next_hop: 'fe80::1', prefixes: [wire] },
      ],
      withdrawals: [],
    });
    expected.push({ prefix: canonical, eventType: 'announcement', peerIp: peer, timestampUs });
  } else {
    const prefixes = [`100.${a}.${b}.0/24`, `100.${a}.${b}.128/25`];
    Object.assign(data, {
      path: [64500 + peerN, 3356, [65000 + (i % 1000)]],
      community: [[3356, 2], [64500 + peerN, 100]],
      origin: 'IGP',
      med: i % 2 === 0 ? 10 : undefined,
      announcements: [{ next_hop: peer, prefixes }],
      withdrawals: i % 3 === 0 ? [`198.18.${b}.0/24`] : [],
    });
    for (const p of prefixes) expected.push({ prefix: p, eventType: 'announcement', peerIp: peer, timestampUs });
    if (i % 3 === 0) expected.push({ prefix: `198.18.${b}.0/24`, eventType: 'withdrawal', peerIp: peer, timestampUs });
  }
  return { text: JSON.stringify({ type: 'ris_message', data }), expected };
}

export function testFrames(from: number, count: number, opts: { baseS?: number } = {}): TestFrame[] {
  return Array.from({ length: count }, (_, k) => testFrame(from + k, opts));
}

export function expectedKey(e: ExpectedEvent): string {
  return `${e.prefix}|${e.eventType}|${e.peerIp}|${e.timestampUs}`;
}
