// TABLE_DUMP (RFC 6396 §4.2) and TABLE_DUMP_V2 (§4.3, RFC 8050 ADD-PATH) RIB records. Pure;
// throws MrtRecordError when a record's content is invalid.

import { decodeAttributesLazy, type AttributeContext } from '@/lib/bgp/mrt/attributes';
import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { ipAt, ipv4At, sessionIpAt } from '@/lib/bgp/mrt/ip';
import { MrtRoutePrefix, nlriSupported, readPrefix, routePrefixAt } from '@/lib/bgp/mrt/nlri';
import type { MrtItem, MrtPeer, MrtRecordInfo, RoutePrefix } from '@/lib/bgp/mrt/types';
import { u16, u32, need } from '@/lib/bgp/mrt/bytes';

export const TABLE_DUMP_V2_SUBTYPE = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
  GEO_PEER_TABLE: 7,
  RIB_IPV4_UNICAST_ADDPATH: 8,
  RIB_IPV4_MULTICAST_ADDPATH: 9,
  RIB_IPV6_UNICAST_ADDPATH: 10,
  RIB_IPV6_MULTICAST_ADDPATH: 11,
  RIB_GENERIC_ADDPATH: 12,
} as const;

const TABLE_DUMP_ATTRS: AttributeContext = { asn4: false, addPath: false, ribEntry: true, announced: null, withdrawn: null };
const RIB_ENTRY_ATTRS: AttributeContext = { asn4: true, addPath: false, ribEntry: true, announced: null, withdrawn: null };

/** State carried between records of one stream: the latest PEER_INDEX_TABLE applies. */
export interface TableDumpState {
  peers: MrtPeer[] | null;
}

/**
 * Legacy TABLE_DUMP: one RIB entry per record, 2-byte ASNs. Bytes after the entry's attributes
 * are ignored (early RIS files batched several entries and mis-declared the length).
 */
export function decodeTableDump(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number, out: MrtItem[]): void {
  const afi = info.subtype === 2 ? 2 : info.subtype === 1 ? 1 : 0;
  if (afi === 0) {
    out.push({ kind: 'other', record: info, note: `TABLE_DUMP subtype ${info.subtype} not decoded` });
    return;
  }
  const ipLen = afi === 2 ? 16 : 4;
  need(o, 4 + ipLen + 6 + ipLen + 4, end, 'TABLE_DUMP entry');
  const prefixStart = o + 4;
  const bits = b[prefixStart + ipLen]!;
  if (bits > ipLen * 8) throw new MrtRecordError(`TABLE_DUMP prefix length ${bits} exceeds ${ipLen * 8}`);
  o = prefixStart + ipLen + 2; // prefix, length, status
  const originated = u32(b, o);
  const peerIp = sessionIpAt(b, o + 4, afi);
  o += 4 + ipLen;
  const peerAsn = u16(b, o);
  const attrLen = u16(b, o + 2);
  o += 4;
  need(o, attrLen, end, 'TABLE_DUMP attributes');
  const attributes = decodeAttributesLazy(b, o, o + attrLen, TABLE_DUMP_ATTRS);
  const prefix = routePrefixAt(b, prefixStart, bits, afi, 1);
  out.push({ kind: 'rib', record: info, timestampUs: timeUs, peerAsn, peerIp, prefix, originatedTimeUs: originated * 1e6, attributes });
}

function decodePeerIndex(b: Uint8Array, o: number, end: number, info: MrtRecordInfo): MrtItem & { kind: 'peer_index' } {
  need(o, 6, end, 'PEER_INDEX_TABLE header');
  const collectorBgpId = ipv4At(b, o);
  const nameLen = u16(b, o + 4);
  o += 6;
  need(o, nameLen + 2, end, 'PEER_INDEX_TABLE view name');
  const viewName = Buffer.from(b.buffer, b.byteOffset + o, nameLen).toString('utf8');
  o += nameLen;
  const count = u16(b, o);
  o += 2;
  const peers: MrtPeer[] = [];
  for (let i = 0; i < count; i++) {
    need(o, 5, end, 'PEER_INDEX_TABLE peer entry');
    const type = b[o]!;
    const bgpId = ipv4At(b, o + 1);
    o += 5;
    const afi = type & 1 ? 2 : 1;
    const ipLen = afi === 2 ? 16 : 4;
    const asLen = type & 2 ? 4 : 2;
    need(o, ipLen + asLen, end, 'PEER_INDEX_TABLE peer entry');
    const ip = ipAt(b, o, afi);
    o += ipLen;
    const asn = asLen === 4 ? u32(b, o) : u16(b, o);
    o += asLen;
    peers.push({ bgpId, ip, asn, afi });
  }
  return { kind: 'peer_index', record: info, collectorBgpId, viewName, peers };
}

/** TABLE_DUMP_V2: PEER_INDEX_TABLE updates `state`; RIB records yield one 'rib' item per entry. */
export function decodeTableDumpV2(
  b: Uint8Array,
  o: number,
  end: number,
  info: MrtRecordInfo,
  timeUs: number,
  state: TableDumpState,
  out: MrtItem[],
): void {
  const st = info.subtype;
  if (st === TABLE_DUMP_V2_SUBTYPE.PEER_INDEX_TABLE) {
    const item = decodePeerIndex(b, o, end, info);
    state.peers = item.peers;
    out.push(item);
    return;
  }
  if (st < 2 || st > 12 || st === TABLE_DUMP_V2_SUBTYPE.GEO_PEER_TABLE) {
    out.push({ kind: 'other', record: info, note: `TABLE_DUMP_V2 subtype ${st} not decoded` });
    return;
  }
  const peers = state.peers;
  if (!peers) throw new MrtRecordError('RIB record before any PEER_INDEX_TABLE');
  const addPath = st >= 8;
  const generic = st === TABLE_DUMP_V2_SUBTYPE.RIB_GENERIC || st === TABLE_DUMP_V2_SUBTYPE.RIB_GENERIC_ADDPATH;
  need(o, 5, end, 'RIB header');
  o += 4; // sequence number
  const tmp: RoutePrefix[] = [];
  if (generic) {
    need(o, 3, end, 'RIB_GENERIC header');
    const afi = u16(b, o);
    const safi = b[o + 2]!;
    o += 3;
    if (!nlriSupported(afi, safi)) {
      out.push({ kind: 'other', record: info, note: `RIB_GENERIC AFI ${afi} SAFI ${safi} not decoded` });
      return;
    }
    o = readPrefix(b, o, end, afi, safi, false, tmp);
  } else {
    const base = (st - 2) % 6; // 0 v4 uni, 1 v4 multi, 2 v6 uni, 3 v6 multi
    const afi = base >= 2 ? 2 : 1;
    const safi = base % 2 === 0 ? 1 : 2;
    o = readPrefix(b, o, end, afi, safi, false, tmp);
  }
  const prefix = tmp[0]!;
  need(o, 2, end, 'RIB entry count');
  const count = u16(b, o);
  o += 2;
  for (let i = 0; i < count; i++) {
    need(o, addPath ? 12 : 8, end, 'RIB entry');
    const peerIndex = u16(b, o);
    const originated = u32(b, o + 2);
    o += 6;
    let entryPrefix = prefix;
    if (addPath) {
      entryPrefix = prefix instanceof MrtRoutePrefix ? prefix.withPathId(u32(b, o)) : { ...prefix, pathId: u32(b, o) };
      o += 4;
    }
    const attrLen = u16(b, o);
    o += 2;
    need(o, attrLen, end, 'RIB entry attributes');
    const peer = peers[peerIndex];
    if (!peer) throw new MrtRecordError(`RIB entry peer index ${peerIndex} outside the PEER_INDEX_TABLE (${peers.length} peers)`);
    const attributes = decodeAttributesLazy(b, o, o + attrLen, RIB_ENTRY_ATTRS);
    o += attrLen;
    out.push({ kind: 'rib', record: info, timestampUs: timeUs, peerAsn: peer.asn, peerIp: peer.ip, prefix: entryPrefix, originatedTimeUs: originated * 1e6, attributes });
  }
}
