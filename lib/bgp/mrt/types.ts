// Decoded MRT (RFC 6396) items: what the streaming reader yields. Shared by the backfill worker,
// the baselines and the bgpdump-compatible formatter. Pure data, no I/O.

/** MRT record types the reader knows (RFC 6396 §4 and the deprecated type 5 of Appendix B). */
export const MRT_TYPE = {
  BGP: 5,
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
} as const;

/** Where an item came from in the (decompressed) stream. */
export interface MrtRecordInfo {
  /** 0-based index of the MRT record in the stream. */
  index: number;
  /** Offset of the record's 12-byte header in the decompressed stream. */
  byteOffset: number;
  type: number;
  subtype: number;
  /** Declared body length (excludes the 12-byte header). */
  length: number;
  /** The whole record as hex, only when the reader was asked to keep it (keepRaw); else null. */
  raw: string | null;
}

/**
 * One NLRI entry. The reader yields MrtRoutePrefix instances (lib/bgp/mrt/nlri.ts), whose `prefix`
 * text is made on first read and whose small fields are getters: read the properties, do not
 * spread the object (JSON.stringify works through toJSON).
 */
export interface RoutePrefix {
  /** Canonical "192.0.2.0/24" / "2001:db8::/32" (RFC 5952), host bits zeroed. */
  prefix: string;
  length: number;
  /** 1 IPv4, 2 IPv6. */
  afi: number;
  /** 1 unicast, 2 multicast, 4 labeled unicast, 128 L3VPN. */
  safi: number;
  /** RFC 7911 path identifier (ADD-PATH subtypes, RFC 8050), else null. */
  pathId: number | null;
  /** The NLRI had non-zero bits after `length` (they are zeroed in `prefix`). */
  hostBitsSet: boolean;
  /** L3VPN route distinguisher ("65000:100", "192.0.2.1:7"), else null. */
  rd: string | null;
  /** MPLS labels (20-bit values) of labeled/VPN NLRI, else null. */
  labels: number[] | null;
}

/** AS_PATH segment types (RFC 4271, RFC 5065). */
export const AS_SEGMENT = { SET: 1, SEQUENCE: 2, CONFED_SEQUENCE: 3, CONFED_SET: 4 } as const;

export interface AsPathSegment {
  type: number;
  asns: number[];
}

export interface UnknownAttribute {
  flags: number;
  type: number;
  /** A copy of the attribute value (does not pin the input chunk). */
  value: Uint8Array;
}

/**
 * Path attributes of one UPDATE or RIB entry, decoded once and shared by all its prefixes
 * (consumers treat it as read-only). Absent attributes are null/false/empty. The reader yields
 * objects whose values are decoded on first read (getters; see decodeAttributesLazy): read the
 * properties, do not spread the object (JSON.stringify works through toJSON).
 */
export interface BgpAttributes {
  /** 0 IGP, 1 EGP, 2 INCOMPLETE. */
  origin: number | null;
  /** AS_PATH after RFC 6793 AS4_PATH merging (2-byte contexts only); null when absent. */
  asPath: AsPathSegment[] | null;
  /** NEXT_HOP attribute (IPv4). */
  nextHop: string | null;
  /** MP_REACH_NLRI next hop (global), and the link-local one when 32 bytes were given. */
  mpNextHop: string | null;
  mpNextHopLocal: string | null;
  med: number | null;
  localPref: number | null;
  atomicAggregate: boolean;
  /** AGGREGATOR (AS4_AGGREGATOR applied in 2-byte contexts). */
  aggregatorAsn: number | null;
  aggregatorIp: string | null;
  /** RFC 1997 communities as unsigned 32-bit values (high 16 bits ASN). */
  communities: number[] | null;
  /** RFC 8092 large communities, flattened triples [global, local1, local2, ...]. */
  largeCommunities: number[] | null;
  /** RFC 4360 extended communities, 16 hex digits each. */
  extendedCommunities: string[] | null;
  originatorId: string | null;
  clusterList: string[] | null;
  /** RFC 9234 Only-To-Customer. */
  otc: number | null;
  /** Attributes not decoded above (ATTR_SET, deprecated codes, unsupported AFI/SAFI MP NLRI…). */
  unknown: UnknownAttribute[] | null;
}

export interface MrtPeer {
  bgpId: string;
  ip: string;
  asn: number;
  /** 1 IPv4, 2 IPv6. */
  afi: number;
}

export type MrtItem =
  | {
      kind: 'update';
      record: MrtRecordInfo;
      /** Record time in µs (BGP4MP_ET adds the microseconds field). */
      collectorTimeUs: number;
      peerAsn: number;
      peerIp: string;
      localAsn: number;
      localIp: string;
      announced: RoutePrefix[];
      withdrawn: RoutePrefix[];
      attributes: BgpAttributes;
    }
  | {
      kind: 'rib';
      record: MrtRecordInfo;
      /** Dump time (record header), µs. */
      timestampUs: number;
      peerAsn: number;
      peerIp: string;
      prefix: RoutePrefix;
      /** When the route was last changed (RIB entry's originated time), µs. */
      originatedTimeUs: number;
      attributes: BgpAttributes;
    }
  | {
      kind: 'state';
      record: MrtRecordInfo;
      timestampUs: number;
      peerAsn: number;
      peerIp: string;
      oldState: number;
      newState: number;
    }
  | { kind: 'peer_index'; record: MrtRecordInfo; collectorBgpId: string; viewName: string; peers: MrtPeer[] }
  /** KEEPALIVE/OPEN/NOTIFICATION, deprecated or unknown types: counted, not decoded. */
  | { kind: 'other'; record: MrtRecordInfo; note: string };

/** A record the reader skipped because its content (not its framing) is invalid. */
export type MrtSkipHandler = (info: MrtRecordInfo, reason: string) => void;

/** A record decoded with a repair or a guess (ADD-PATH detected, cut NLRI): its items are still yielded. */
export type MrtWarn = (info: MrtRecordInfo, message: string) => void;
