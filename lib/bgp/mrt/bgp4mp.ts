// BGP4MP / BGP4MP_ET records (RFC 6396 §4.4-4.5, RFC 8050 ADD-PATH subtypes) and the deprecated
// type-5 BGP records of 1999-2001 RIS files (RFC 6396 Appendix B). Pure; throws MrtRecordError
// when a record's content is invalid.

import { decodeAttributes, emptyAttributes } from '@/lib/bgp/mrt/attributes';
import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { ipAt, ipv4At } from '@/lib/bgp/mrt/ip';
import { readNlriList } from '@/lib/bgp/mrt/nlri';
import type { MrtItem, MrtRecordInfo, RoutePrefix } from '@/lib/bgp/mrt/types';

export const BGP4MP_SUBTYPE = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  ENTRY: 2,
  SNAPSHOT: 3,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
  MESSAGE_ADDPATH: 8,
  MESSAGE_AS4_ADDPATH: 9,
  MESSAGE_LOCAL_ADDPATH: 10,
  MESSAGE_AS4_LOCAL_ADDPATH: 11,
} as const;

const BGP_MSG_NAMES = ['', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'];
const LEGACY_BGP_NAMES = ['NULL', 'UPDATE', 'PREF_UPDATE', 'STATE_CHANGE', 'SYNC', 'OPEN', 'NOTIFY', 'KEEPALIVE'];

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function need(o: number, n: number, end: number, what: string): void {
  if (o + n > end) throw new MrtRecordError(`${what} runs past the end of the record`);
}

interface Session {
  peerAsn: number;
  localAsn: number;
  peerIp: string;
  localIp: string;
}

/** UPDATE body (after the BGP header) at b[o, end) into an 'update' item (possibly without prefixes: End-of-RIB). */
function decodeUpdate(
  b: Uint8Array,
  o: number,
  end: number,
  info: MrtRecordInfo,
  timeUs: number,
  s: Session,
  asn4: boolean,
  addPath: boolean,
): MrtItem {
  need(o, 2, end, 'UPDATE withdrawn length');
  const wdLen = u16(b, o);
  o += 2;
  need(o, wdLen + 2, end, 'UPDATE withdrawn routes');
  const withdrawn: RoutePrefix[] = [];
  const announced: RoutePrefix[] = [];
  readNlriList(b, o, o + wdLen, 1, 1, addPath, withdrawn);
  o += wdLen;
  const attrLen = u16(b, o);
  o += 2;
  need(o, attrLen, end, 'UPDATE path attributes');
  // Body NLRI come before the MP_REACH ones, in wire order (as bgpdump and RIS Live list them).
  readNlriList(b, o + attrLen, end, 1, 1, addPath, announced);
  const attributes =
    attrLen === 0
      ? emptyAttributes()
      : decodeAttributes(b, o, o + attrLen, { asn4, addPath, ribEntry: false, announced, withdrawn });
  return {
    kind: 'update',
    record: info,
    collectorTimeUs: timeUs,
    peerAsn: s.peerAsn,
    peerIp: s.peerIp,
    localAsn: s.localAsn,
    localIp: s.localIp,
    announced,
    withdrawn,
    attributes,
  };
}

/** BGP4MP(_ET) record body at b[o, end); `timeUs` already includes the ET microseconds. */
export function decodeBgp4mp(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number): MrtItem {
  const st = info.subtype;
  if (st === BGP4MP_SUBTYPE.ENTRY || st === BGP4MP_SUBTYPE.SNAPSHOT || st > 11) {
    return { kind: 'other', record: info, note: `BGP4MP subtype ${st} not decoded` };
  }
  const asn4 = st === 4 || st === 5 || st === 7 || st === 9 || st === 11;
  const asnSize = asn4 ? 4 : 2;
  need(o, 2 * asnSize + 4, end, 'BGP4MP header');
  const peerAsn = asn4 ? u32(b, o) : u16(b, o);
  const localAsn = asn4 ? u32(b, o + asnSize) : u16(b, o + asnSize);
  o += 2 * asnSize + 2; // + interface index
  const afi = u16(b, o);
  o += 2;
  if (afi !== 1 && afi !== 2) throw new MrtRecordError(`BGP4MP address family ${afi} is not 1 or 2`);
  const ipLen = afi === 2 ? 16 : 4;
  need(o, 2 * ipLen, end, 'BGP4MP peer/local address');
  const s: Session = { peerAsn, localAsn, peerIp: ipAt(b, o, afi), localIp: ipAt(b, o + ipLen, afi) };
  o += 2 * ipLen;
  if (st === BGP4MP_SUBTYPE.STATE_CHANGE || st === BGP4MP_SUBTYPE.STATE_CHANGE_AS4) {
    need(o, 4, end, 'BGP4MP state change');
    return { kind: 'state', record: info, timestampUs: timeUs, peerAsn, peerIp: s.peerIp, oldState: u16(b, o), newState: u16(b, o + 2) };
  }
  need(o, 19, end, 'BGP message header');
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0xff) throw new MrtRecordError('BGP message marker is not all ones');
  const msgLen = u16(b, o + 16);
  const msgType = b[o + 18]!;
  if (msgLen < 19 || o + msgLen > end) throw new MrtRecordError(`BGP message length ${msgLen} does not fit the record`);
  if (msgType !== 2) return { kind: 'other', record: info, note: `BGP ${BGP_MSG_NAMES[msgType] ?? `message type ${msgType}`}` };
  const addPath = st >= 8;
  return decodeUpdate(b, o + 19, o + msgLen, info, timeUs, s, asn4, addPath);
}

/** Deprecated MRT type 5 (BGP, RFC 6396 Appendix B.2): RIS 1999-2001. 2-byte ASNs, IPv4 only. */
export function decodeLegacyBgp(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number): MrtItem {
  const st = info.subtype;
  if (st === 1) {
    need(o, 12, end, 'BGP_UPDATE header');
    const s: Session = { peerAsn: u16(b, o), peerIp: ipv4At(b, o + 2), localAsn: u16(b, o + 6), localIp: ipv4At(b, o + 8) };
    return decodeUpdate(b, o + 12, end, info, timeUs, s, false, false);
  }
  if (st === 3) {
    need(o, 10, end, 'BGP_STATE_CHANGE');
    return { kind: 'state', record: info, timestampUs: timeUs, peerAsn: u16(b, o), peerIp: ipv4At(b, o + 2), oldState: u16(b, o + 6), newState: u16(b, o + 8) };
  }
  return { kind: 'other', record: info, note: `deprecated BGP ${LEGACY_BGP_NAMES[st] ?? `subtype ${st}`}` };
}
