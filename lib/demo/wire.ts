// Writes ris_message frames in the 2025–26 RIS Live wire shape (PROTOCOLS.md §1.4): host with
// ".ripe.net", string peer_asn, "<peer>-<16 hex>" ids, 3-decimal timestamps, upper-case origin,
// present-but-empty keys on pure withdrawals. Built by hand (not JSON.stringify of an object)
// because JSON.stringify drops the trailing zeros of "1787141896.080".

export interface WireAnnouncement {
  next_hop: string;
  prefixes: string[];
}

export interface WireUpdate {
  timestampMs: number;
  peer: string;
  peerAsn: number;
  id: string;
  collector: string;
  path: Array<number | number[]>;
  community: Array<[number, number]>;
  origin: 'IGP' | 'EGP' | 'INCOMPLETE' | null;
  med: number | null;
  aggregator: string | null;
  announcements: WireAnnouncement[];
  withdrawals: string[];
}

/** Unix seconds with exactly three decimals. */
export function formatTimestamp(ms: number): string {
  const whole = Math.floor(ms / 1000);
  return `${whole}.${String(ms - whole * 1000).padStart(3, '0')}`;
}

function head(timestampMs: number, peer: string, peerAsn: number, id: string, collector: string, type: string): string {
  return (
    `{"timestamp":${formatTimestamp(timestampMs)},"peer":${JSON.stringify(peer)},"peer_asn":"${peerAsn}",` +
    `"id":${JSON.stringify(id)},"host":"${collector}.ripe.net","type":"${type}"`
  );
}

export function formatUpdateFrame(u: WireUpdate): string {
  let s = head(u.timestampMs, u.peer, u.peerAsn, u.id, u.collector, 'UPDATE');
  s += `,"path":${JSON.stringify(u.path)},"community":${JSON.stringify(u.community)}`;
  if (u.origin !== null) s += `,"origin":"${u.origin}"`;
  if (u.med !== null) s += `,"med":${u.med}`;
  if (u.aggregator !== null) s += `,"aggregator":${JSON.stringify(u.aggregator)}`;
  s += `,"announcements":${JSON.stringify(u.announcements)},"withdrawals":${JSON.stringify(u.withdrawals)}`;
  return `{"type":"ris_message","data":${s}}}`;
}

export function formatPeerStateFrame(timestampMs: number, peer: string, peerAsn: number, id: string, collector: string, state: string): string {
  return `{"type":"ris_message","data":${head(timestampMs, peer, peerAsn, id, collector, 'RIS_PEER_STATE')},"state":${JSON.stringify(state)}}}`;
}

/**
 * Hands out "<peer>-<16 hex>" ids: the collector's millisecond clock shifted left 20 bits plus a
 * counter, like the 2026 captures ("37.49.237.143-01a019f537900000"); strictly increasing per peer.
 */
export class MessageIds {
  private readonly last = new Map<string, bigint>();

  next(peer: string, timestampMs: number): string {
    const base = BigInt(timestampMs) << 20n;
    const prev = this.last.get(peer);
    const value = prev !== undefined && prev >= base ? prev + 1n : base;
    this.last.set(peer, value);
    return `${peer}-${value.toString(16).padStart(16, '0')}`;
  }
}
