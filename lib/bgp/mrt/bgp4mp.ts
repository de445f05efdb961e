// BGP4MP / BGP4MP_ET records (RFC 6396 §4.4-4.5, RFC 8050 ADD-PATH subtypes) and the deprecated
// type-5 BGP records of 1999-2001 RIS files (RFC 6396 Appendix B). Pure; throws MrtRecordError
// when a record's content is invalid.

import { decodeAttributesLazy, emptyAttributes } from '@/lib/bgp/mrt/attributes';
import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { sessionIpAt } from '@/lib/bgp/mrt/ip';
import { readNlriList, readNlriListLenient } from '@/lib/bgp/mrt/nlri';
import type { MrtItem, MrtRecordInfo, MrtWarn, RoutePrefix } from '@/lib/bgp/mrt/types';
import { u16, u32, need } from '@/lib/bgp/mrt/bytes';

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
  warn: MrtWarn,
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
  const cut = readNlriListLenient(b, o + attrLen, end, 1, 1, addPath, announced);
  if (cut > 0) warn(info, `last ${cut} bytes of the UPDATE's NLRI do not form a whole prefix (ignored)`);
  const attributes =
    attrLen === 0
      ? emptyAttributes()
      : decodeAttributesLazy(b, o, o + attrLen, { asn4, addPath, ribEntry: false, announced, withdrawn });
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
export function decodeBgp4mp(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number, warn: MrtWarn): MrtItem {
  const st = info.subtype;
  if (st === BGP4MP_SUBTYPE.ENTRY || st === BGP4MP_SUBTYPE.SNAPSHOT || st > 11) {
    return { kind: 'other', record: info, note: `BGP4MP subtype ${st} not decoded` };
  }
  const asn4 = st === 4 || st === 5 || st === 7 || st === 9 || st === 11;
  const asnSize = asn4 ? 4 : 2;
  need(o, 2 * asnSize + 4, end, 'BGP4MP header');
  const peerAsn = asn4 ? u32(b, o) : u16(b, o);
  const localAsn = asn4 ? u32(b, o + asnSize) : u16(b, o + asnSize);
  const isState = st === BGP4MP_SUBTYPE.STATE_CHANGE || st === BGP4MP_SUBTYPE.STATE_CHANGE_AS4;
  // Zebra (RIS 2000) wrote some records without interface index, AFI and addresses: a state
  // change of exactly 2 ASNs + 2 states, or the BGP marker right after the ASNs. bgpdump reads
  // them the same way (peer 0.0.0.0).
  if (isState && end - o === 2 * asnSize + 4) {
    return { kind: 'state', record: info, timestampUs: timeUs, peerAsn, peerIp: '0.0.0.0', oldState: u16(b, o + 2 * asnSize), newState: u16(b, o + 2 * asnSize + 2) };
  }
  if (!isState && end - o >= 2 * asnSize + 19 && isMarker(b, o + 2 * asnSize)) {
    const s: Session = { peerAsn, localAsn, peerIp: '0.0.0.0', localIp: '0.0.0.0' };
    return decodeMessage(b, o + 2 * asnSize, end, info, timeUs, s, asn4, st >= 8, warn);
  }
  o += 2 * asnSize + 2; // + interface index
  const afi = u16(b, o);
  o += 2;
  if (afi !== 1 && afi !== 2) throw new MrtRecordError(`BGP4MP address family ${afi} is not 1 or 2`);
  const ipLen = afi === 2 ? 16 : 4;
  need(o, 2 * ipLen, end, 'BGP4MP peer/local address');
  const s: Session = { peerAsn, localAsn, peerIp: sessionIpAt(b, o, afi), localIp: sessionIpAt(b, o + ipLen, afi) };
  o += 2 * ipLen;
  if (isState) {
    need(o, 4, end, 'BGP4MP state change');
    return { kind: 'state', record: info, timestampUs: timeUs, peerAsn, peerIp: s.peerIp, oldState: u16(b, o), newState: u16(b, o + 2) };
  }
  return decodeMessage(b, o, end, info, timeUs, s, asn4, st >= 8, warn);
}

function isMarker(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0xff) return false;
  return true;
}

/** A complete BGP message (marker, length, type, body) at b[o, end). */
function decodeMessage(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number, s: Session, asn4: boolean, addPath: boolean, warn: MrtWarn): MrtItem {
  need(o, 19, end, 'BGP message header');
  if (!isMarker(b, o)) throw new MrtRecordError('BGP message marker is not all ones');
  const msgLen = u16(b, o + 16);
  const msgType = b[o + 18]!;
  if (msgLen < 19 || o + msgLen > end) throw new MrtRecordError(`BGP message length ${msgLen} does not fit the record`);
  if (msgType !== 2) return { kind: 'other', record: info, note: `BGP ${BGP_MSG_NAMES[msgType] ?? `message type ${msgType}`}` };
  return decodeUpdateDetectingAddPath(b, o + 19, o + msgLen, info, timeUs, s, asn4, addPath, warn);
}

/**
 * Some collectors wrote ADD-PATH NLRI under non-ADDPATH subtypes (BIRD, RouteViews FRR; see
 * bgpkit-parser#42). When plain decoding fails, decoding again with path identifiers is tried;
 * if that succeeds the routes are kept and the guess is reported.
 */
function decodeUpdateDetectingAddPath(
  b: Uint8Array,
  o: number,
  end: number,
  info: MrtRecordInfo,
  timeUs: number,
  s: Session,
  asn4: boolean,
  addPath: boolean,
  warn: MrtWarn,
): MrtItem {
  try {
    return decodeUpdate(b, o, end, info, timeUs, s, asn4, addPath, warn);
  } catch (err) {
    if (addPath || !(err instanceof MrtRecordError)) throw err;
    let item: MrtItem;
    try {
      item = decodeUpdate(b, o, end, info, timeUs, s, asn4, true, warn);
    } catch {
      throw err;
    }
    warn(info, `ADD-PATH NLRI under a non-ADDPATH subtype (plain decoding failed: ${err.message})`);
    return item;
  }
}

/** Deprecated MRT type 5 (BGP, RFC 6396 Appendix B.2): RIS 1999-2001. 2-byte ASNs, IPv4 only. */
export function decodeLegacyBgp(b: Uint8Array, o: number, end: number, info: MrtRecordInfo, timeUs: number, warn: MrtWarn): MrtItem {
  const st = info.subtype;
  if (st === 1) {
    need(o, 12, end, 'BGP_UPDATE header');
    const s: Session = { peerAsn: u16(b, o), peerIp: sessionIpAt(b, o + 2, 1), localAsn: u16(b, o + 6), localIp: sessionIpAt(b, o + 8, 1) };
    return decodeUpdate(b, o + 12, end, info, timeUs, s, false, false, warn);
  }
  if (st === 3) {
    need(o, 10, end, 'BGP_STATE_CHANGE');
    return { kind: 'state', record: info, timestampUs: timeUs, peerAsn: u16(b, o), peerIp: sessionIpAt(b, o + 2, 1), oldState: u16(b, o + 6), newState: u16(b, o + 8) };
  }
  return { kind: 'other', record: info, note: `deprecated BGP ${LEGACY_BGP_NAMES[st] ?? `subtype ${st}`}` };
}
