// BGP path attributes (RFC 4271 §4.3/§5, 4760, 6793, 1997, 4360, 8092, 9234) from wire bytes.
// Decoded once per UPDATE or RIB entry and shared by all its prefixes. Pure; throws
// MrtRecordError only where the rest of the record cannot be trusted (broken attribute framing,
// AS_PATH or MP NLRI). An optional attribute whose length is wrong for its type is kept raw in
// `unknown` instead (RFC 7606 spirit: one bad attribute does not lose the routes).

import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { ipv4At, ipv6At } from '@/lib/bgp/mrt/ip';
import { nlriSupported, readNlriList, SAFI_VPN } from '@/lib/bgp/mrt/nlri';
import { AS_SEGMENT, type AsPathSegment, type BgpAttributes, type RoutePrefix } from '@/lib/bgp/mrt/types';
import { u16, u32 } from '@/lib/bgp/mrt/bytes';

export const ATTR = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MED: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITIES: 32,
  OTC: 35,
} as const;

const AS_TRANS = 23456;

export interface AttributeContext {
  /** AS numbers in AS_PATH/AGGREGATOR are 4 bytes (MESSAGE_AS4*, TABLE_DUMP_V2). */
  asn4: boolean;
  /** MP_REACH/MP_UNREACH NLRI carry path identifiers (RFC 8050 *_ADDPATH subtypes). */
  addPath: boolean;
  /** TABLE_DUMP_V2 RIB entry: MP_REACH may be the abbreviated form (next hop only). */
  ribEntry: boolean;
  /** Receive MP_REACH / MP_UNREACH NLRI; null ignores them (RIB entries: the prefix is in the record). */
  announced: RoutePrefix[] | null;
  withdrawn: RoutePrefix[] | null;
  /**
   * Keep MP_REACH/MP_UNREACH of unsupported AFI/SAFI in `unknown` even though announced/withdrawn
   * are null (the lazy decode of an UPDATE whose NLRI were read by scanAttributes).
   */
  keepUnsupportedMp?: boolean;
}

export function emptyAttributes(): BgpAttributes {
  return {
    origin: null,
    asPath: null,
    nextHop: null,
    mpNextHop: null,
    mpNextHopLocal: null,
    med: null,
    localPref: null,
    atomicAggregate: false,
    aggregatorAsn: null,
    aggregatorIp: null,
    communities: null,
    largeCommunities: null,
    extendedCommunities: null,
    originatorId: null,
    clusterList: null,
    otc: null,
    unknown: null,
  };
}

function readAsPath(b: Uint8Array, o: number, end: number, asnSize: number): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (o < end) {
    if (o + 2 > end) throw new MrtRecordError('AS_PATH segment header runs past the attribute');
    const type = b[o]!;
    const count = b[o + 1]!;
    o += 2;
    if (type < 1 || type > 4) throw new MrtRecordError(`AS_PATH segment type ${type} is not 1-4`);
    if (o + count * asnSize > end) throw new MrtRecordError('AS_PATH segment runs past the attribute');
    const asns = new Array<number>(count);
    if (asnSize === 4) for (let i = 0; i < count; i++, o += 4) asns[i] = u32(b, o);
    else for (let i = 0; i < count; i++, o += 2) asns[i] = u16(b, o);
    segments.push({ type, asns });
  }
  return segments;
}

/** RFC 6793 §4.2.3 path length for merging: SEQUENCE hops 1 each, a SET 1, confederations 0. */
function mergeCount(path: AsPathSegment[]): number {
  let n = 0;
  for (const s of path) {
    if (s.type === AS_SEGMENT.SEQUENCE) n += s.asns.length;
    else if (s.type === AS_SEGMENT.SET) n += 1;
  }
  return n;
}

/**
 * AS_PATH ⊕ AS4_PATH: the leading count(AS_PATH) − count(AS4_PATH) ASes of AS_PATH (cut across
 * segment boundaries, not segment-aligned) followed by AS4_PATH.
 */
export function mergeAs4Path(asPath: AsPathSegment[], as4Path: AsPathSegment[]): AsPathSegment[] {
  let keep = mergeCount(asPath) - mergeCount(as4Path);
  if (keep < 0) return asPath;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    if (s.type === AS_SEGMENT.SEQUENCE) {
      const take = Math.min(keep, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      keep -= take;
    } else if (s.type === AS_SEGMENT.SET) {
      out.push(s);
      keep -= 1;
    } else {
      out.push(s);
    }
  }
  for (const s of as4Path) {
    const last = out[out.length - 1];
    if (last && last.type === AS_SEGMENT.SEQUENCE && s.type === AS_SEGMENT.SEQUENCE) last.asns = last.asns.concat(s.asns);
    else out.push({ type: s.type, asns: s.asns.slice() });
  }
  return out;
}

function keepRaw(a: BgpAttributes, flags: number, type: number, b: Uint8Array, s: number, e: number): void {
  (a.unknown ??= []).push({ flags, type, value: b.slice(s, e) });
}

/** Next hop of MP_REACH (nh bytes at b[o, o+len)); VPN next hops start with an 8-byte RD. */
function readMpNextHop(a: BgpAttributes, b: Uint8Array, o: number, len: number, safi: number): void {
  if (safi === SAFI_VPN && len >= 12) {
    o += 8;
    len -= 8;
    if (len === 40) len = 32; // RD + global + RD + link-local
  }
  if (len === 4) a.mpNextHop = ipv4At(b, o);
  else if (len === 16) a.mpNextHop = ipv6At(b, o);
  else if (len === 32 || len === 40) {
    a.mpNextHop = ipv6At(b, o);
    a.mpNextHopLocal = ipv6At(b, len === 40 ? o + 24 : o + 16);
  }
}

/** `a` null: only the checks and the NLRI (scanAttributes); the values are decoded later. */
function readMpReach(a: BgpAttributes | null, b: Uint8Array, s: number, e: number, flags: number, ctx: AttributeContext): void {
  if (ctx.ribEntry && s < e && b[s] !== 0) {
    // RFC 6396 §4.3.4 abbreviated form: next hop length + next hop only.
    const len = b[s]!;
    if (s + 1 + len > e) throw new MrtRecordError('MP_REACH next hop runs past the attribute');
    if (a) readMpNextHop(a, b, s + 1, len, 1);
    return;
  }
  if (s + 5 > e) throw new MrtRecordError('MP_REACH shorter than its fixed fields');
  const afi = u16(b, s);
  const safi = b[s + 2]!;
  const nhLen = b[s + 3]!;
  const nlriStart = s + 4 + nhLen + 1;
  if (nlriStart > e) throw new MrtRecordError('MP_REACH next hop runs past the attribute');
  if (a) readMpNextHop(a, b, s + 4, nhLen, safi);
  if (!ctx.announced && !ctx.keepUnsupportedMp) return;
  if (!nlriSupported(afi, safi)) {
    if (a) keepRaw(a, flags, ATTR.MP_REACH_NLRI, b, s, e);
    return;
  }
  if (ctx.announced) readNlriList(b, nlriStart, e, afi, safi, ctx.addPath, ctx.announced);
}

function readMpUnreach(a: BgpAttributes | null, b: Uint8Array, s: number, e: number, flags: number, ctx: AttributeContext): void {
  if (s + 3 > e) throw new MrtRecordError('MP_UNREACH shorter than its fixed fields');
  if (!ctx.withdrawn && !ctx.keepUnsupportedMp) return;
  const afi = u16(b, s);
  const safi = b[s + 2]!;
  if (!nlriSupported(afi, safi)) {
    if (a) keepRaw(a, flags, ATTR.MP_UNREACH_NLRI, b, s, e);
    return;
  }
  if (ctx.withdrawn) readNlriList(b, s + 3, e, afi, safi, ctx.addPath, ctx.withdrawn);
}

/** Decodes the attributes in b[start, end). */
export function decodeAttributes(b: Uint8Array, start: number, end: number, ctx: AttributeContext): BgpAttributes {
  const a = emptyAttributes();
  let as4Path: AsPathSegment[] | null = null;
  let as4AggAsn: number | null = null;
  let as4AggIp: string | null = null;
  let o = start;
  while (o < end) {
    if (o + 3 > end) throw new MrtRecordError('attribute header runs past the attribute block');
    const flags = b[o]!;
    const type = b[o + 1]!;
    let len: number;
    if (flags & 0x10) {
      if (o + 4 > end) throw new MrtRecordError('attribute header runs past the attribute block');
      len = u16(b, o + 2);
      o += 4;
    } else {
      len = b[o + 2]!;
      o += 3;
    }
    const s = o;
    const e = o + len;
    if (e > end) throw new MrtRecordError(`attribute ${type} (${len} bytes) runs past the attribute block`);
    o = e;
    switch (type) {
      case ATTR.ORIGIN:
        if (len === 1) a.origin = b[s]!;
        else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.AS_PATH:
        a.asPath = readAsPath(b, s, e, ctx.asn4 ? 4 : 2);
        break;
      case ATTR.NEXT_HOP:
        if (len === 4) a.nextHop = ipv4At(b, s);
        else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.MED:
        if (len === 4) a.med = u32(b, s);
        else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.LOCAL_PREF:
        if (len === 4) a.localPref = u32(b, s);
        else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.ATOMIC_AGGREGATE:
        a.atomicAggregate = true;
        break;
      case ATTR.AGGREGATOR:
        // The length tells the AS width; some producers write 4-byte AGGREGATORs in 2-byte contexts.
        if (len === 6) {
          a.aggregatorAsn = u16(b, s);
          a.aggregatorIp = ipv4At(b, s + 2);
        } else if (len === 8) {
          a.aggregatorAsn = u32(b, s);
          a.aggregatorIp = ipv4At(b, s + 4);
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.COMMUNITIES:
        if (len % 4 === 0) {
          const c = new Array<number>(len >> 2);
          for (let i = 0; i < c.length; i++) c[i] = u32(b, s + 4 * i);
          a.communities = c;
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.LARGE_COMMUNITIES:
        if (len % 12 === 0) {
          const c = new Array<number>(len >> 2);
          for (let i = 0; i < c.length; i++) c[i] = u32(b, s + 4 * i);
          a.largeCommunities = c;
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.EXTENDED_COMMUNITIES:
        if (len % 8 === 0) {
          const c: string[] = [];
          for (let p = s; p < e; p += 8) c.push(Buffer.from(b.buffer, b.byteOffset + p, 8).toString('hex'));
          a.extendedCommunities = c;
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.ORIGINATOR_ID:
        if (len === 4) a.originatorId = ipv4At(b, s);
        else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.CLUSTER_LIST:
        if (len % 4 === 0) {
          const c: string[] = [];
          for (let p = s; p < e; p += 4) c.push(ipv4At(b, p));
          a.clusterList = c;
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.MP_REACH_NLRI:
        readMpReach(a, b, s, e, flags, ctx);
        break;
      case ATTR.MP_UNREACH_NLRI:
        readMpUnreach(a, b, s, e, flags, ctx);
        break;
      case ATTR.AS4_PATH:
        // Only meaningful where AS_PATH is 2-byte (RFC 6793 §4.1); ignored elsewhere.
        if (!ctx.asn4) as4Path = readAsPath(b, s, e, 4);
        break;
      case ATTR.AS4_AGGREGATOR:
        if (len === 8) {
          as4AggAsn = u32(b, s);
          as4AggIp = ipv4At(b, s + 4);
        } else keepRaw(a, flags, type, b, s, e);
        break;
      case ATTR.OTC:
        if (len === 4) a.otc = u32(b, s);
        else keepRaw(a, flags, type, b, s, e);
        break;
      default:
        keepRaw(a, flags, type, b, s, e);
    }
  }
  if (!ctx.asn4) applyAs4(a, as4Path, as4AggAsn, as4AggIp);
  return a;
}

/**
 * RFC 6793 §4.2.3: when both AGGREGATOR and AS4_AGGREGATOR came and AGGREGATOR is not AS_TRANS,
 * an OLD speaker aggregated after the AS4_* attributes were set: both AS4_* are stale. An
 * AGGREGATOR alone does not invalidate AS4_PATH.
 */
function applyAs4(a: BgpAttributes, as4Path: AsPathSegment[] | null, aggAsn: number | null, aggIp: string | null): void {
  if (aggAsn !== null && a.aggregatorAsn !== null && a.aggregatorAsn !== AS_TRANS) return;
  if (aggAsn !== null && a.aggregatorAsn === AS_TRANS) {
    a.aggregatorAsn = aggAsn;
    a.aggregatorIp = aggIp;
  }
  if (as4Path && a.asPath) a.asPath = mergeAs4Path(a.asPath, as4Path);
}

// ---- Lazy decoding ----
//
// Most consumers of a record read its routes and a few attributes, or none (counting, filtering
// by prefix). decodeAttributesLazy checks at once everything that can make the record invalid
// (attribute framing, AS_PATH / AS4_PATH segments, MP_REACH / MP_UNREACH with their NLRI, which
// are routes and are read into the record's lists), copies the block's bytes, and decodes the
// attribute values on the first read of any of them. A record is therefore skipped for exactly
// the same reasons, with the same message, as with eager decoding, and a late decode cannot fail.

/** Throws MrtRecordError when the AS_PATH segments in b[o, end) are malformed (readAsPath's checks, no allocation). */
function checkAsPath(b: Uint8Array, o: number, end: number, asnSize: number): void {
  while (o < end) {
    if (o + 2 > end) throw new MrtRecordError('AS_PATH segment header runs past the attribute');
    const type = b[o]!;
    const count = b[o + 1]!;
    o += 2;
    if (type < 1 || type > 4) throw new MrtRecordError(`AS_PATH segment type ${type} is not 1-4`);
    if (o + count * asnSize > end) throw new MrtRecordError('AS_PATH segment runs past the attribute');
    o += count * asnSize;
  }
}

/** The checks and NLRI reads of decodeAttributes, without decoding the other attribute values. */
function scanAttributes(b: Uint8Array, start: number, end: number, ctx: AttributeContext): void {
  let o = start;
  while (o < end) {
    if (o + 3 > end) throw new MrtRecordError('attribute header runs past the attribute block');
    const flags = b[o]!;
    const type = b[o + 1]!;
    let len: number;
    if (flags & 0x10) {
      if (o + 4 > end) throw new MrtRecordError('attribute header runs past the attribute block');
      len = u16(b, o + 2);
      o += 4;
    } else {
      len = b[o + 2]!;
      o += 3;
    }
    const s = o;
    const e = o + len;
    if (e > end) throw new MrtRecordError(`attribute ${type} (${len} bytes) runs past the attribute block`);
    o = e;
    if (type === ATTR.AS_PATH) checkAsPath(b, s, e, ctx.asn4 ? 4 : 2);
    else if (type === ATTR.AS4_PATH) {
      if (!ctx.asn4) checkAsPath(b, s, e, 4);
    } else if (type === ATTR.MP_REACH_NLRI || type === ATTR.MP_UNREACH_NLRI) {
      if (type === ATTR.MP_REACH_NLRI) readMpReach(null, b, s, e, flags, ctx);
      else readMpUnreach(null, b, s, e, flags, ctx);
    }
  }
}

/**
 * Copies of attribute blocks, packed into shared slabs: a lazy block must not keep the input chunk
 * (256 KiB) alive, nor depend on the caller never reusing it. A slab lives while any block in it does.
 */
const SLAB_BYTES = 256 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabPos = 0;

const LAZY_ASN4 = 1;
const LAZY_ADD_PATH = 2;
const LAZY_RIB_ENTRY = 4;
const LAZY_KEEP_MP = 8;

class LazyBgpAttributes implements BgpAttributes {
  private d: BgpAttributes | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    /** LAZY_* flags (one field instead of four: there is one of these per route in a RIB). */
    private readonly flags: number,
  ) {}

  private get v(): BgpAttributes {
    return (this.d ??= decodeAttributes(this.bytes, this.start, this.end, {
      asn4: (this.flags & LAZY_ASN4) !== 0,
      addPath: (this.flags & LAZY_ADD_PATH) !== 0,
      ribEntry: (this.flags & LAZY_RIB_ENTRY) !== 0,
      announced: null,
      withdrawn: null,
      keepUnsupportedMp: (this.flags & LAZY_KEEP_MP) !== 0,
    }));
  }

  get origin(): number | null {
    return this.v.origin;
  }
  get asPath(): AsPathSegment[] | null {
    return this.v.asPath;
  }
  get nextHop(): string | null {
    return this.v.nextHop;
  }
  get mpNextHop(): string | null {
    return this.v.mpNextHop;
  }
  get mpNextHopLocal(): string | null {
    return this.v.mpNextHopLocal;
  }
  get med(): number | null {
    return this.v.med;
  }
  get localPref(): number | null {
    return this.v.localPref;
  }
  get atomicAggregate(): boolean {
    return this.v.atomicAggregate;
  }
  get aggregatorAsn(): number | null {
    return this.v.aggregatorAsn;
  }
  get aggregatorIp(): string | null {
    return this.v.aggregatorIp;
  }
  get communities(): number[] | null {
    return this.v.communities;
  }
  get largeCommunities(): number[] | null {
    return this.v.largeCommunities;
  }
  get extendedCommunities(): string[] | null {
    return this.v.extendedCommunities;
  }
  get originatorId(): string | null {
    return this.v.originatorId;
  }
  get clusterList(): string[] | null {
    return this.v.clusterList;
  }
  get otc(): number | null {
    return this.v.otc;
  }
  get unknown(): BgpAttributes['unknown'] {
    return this.v.unknown;
  }

  /** The decoded plain object (getters are not own properties: spread/JSON would miss them). */
  toJSON(): BgpAttributes {
    return this.v;
  }

  /** Hash of the block's bytes and decoding flags (non-negative 31-bit). */
  blockHash(): number {
    const b = this.bytes;
    let h = Math.imul(0x811c9dc5 ^ this.flags, 0x01000193);
    for (let i = this.start; i < this.end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 12)) & 0x7fffffff;
  }

  /** True when this block holds exactly the `len` bytes at buf[off], with these flags. */
  blockEquals(flags: number, buf: Uint8Array, off: number, len: number): boolean {
    if (flags !== this.flags || len !== this.end - this.start) return false;
    const b = this.bytes;
    for (let i = 0; i < len; i++) if (b[this.start + i] !== buf[off + i]) return false;
    return true;
  }

  get blockFlags(): number {
    return this.flags;
  }

  get blockLength(): number {
    return this.end - this.start;
  }

  /** Copies the block's bytes to buf[off]. */
  copyBlock(buf: Uint8Array, off: number): void {
    buf.set(this.bytes.subarray(this.start, this.end), off);
  }
}

/**
 * A lazily decoded attribute block (what the reader yields for UPDATEs and RIB entries with
 * attributes), through which consumers can recognise repeated blocks (a RIB repeats the same
 * attributes for many prefixes) without decoding them; null for other BgpAttributes objects.
 */
export type AttributeBlock = Pick<LazyBgpAttributes, 'blockHash' | 'blockEquals' | 'blockFlags' | 'blockLength' | 'copyBlock'>;

export function attributeBlockOf(a: BgpAttributes): AttributeBlock | null {
  return a instanceof LazyBgpAttributes ? a : null;
}

/**
 * Like decodeAttributes (same records rejected, same NLRI read into ctx.announced/withdrawn), but
 * the attribute values are decoded on first read.
 */
export function decodeAttributesLazy(b: Uint8Array, start: number, end: number, ctx: AttributeContext): BgpAttributes {
  scanAttributes(b, start, end, ctx);
  const n = end - start;
  if (slabPos + n > slab.length) {
    slab = new Uint8Array(Math.max(SLAB_BYTES, n));
    slabPos = 0;
  }
  const at = slabPos;
  if (n < 64) for (let i = 0; i < n; i++) slab[at + i] = b[start + i]!;
  else slab.set(b.subarray(start, end), at);
  slabPos += n;
  const keepMp = ctx.announced !== null || ctx.withdrawn !== null || ctx.keepUnsupportedMp === true;
  const flags = (ctx.asn4 ? LAZY_ASN4 : 0) | (ctx.addPath ? LAZY_ADD_PATH : 0) | (ctx.ribEntry ? LAZY_RIB_ENTRY : 0) | (keepMp ? LAZY_KEEP_MP : 0);
  return new LazyBgpAttributes(slab, at, at + n, flags);
}
