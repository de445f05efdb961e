// NLRI lists (RFC 4271 §4.3, RFC 4760, RFC 7911 ADD-PATH, RFC 8277 labels, RFC 4364 VPN) from
// wire bytes into RoutePrefix objects. Pure; throws MrtRecordError on malformed input.

import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { hostBitsSetAt, ipv4At, ipv4PrefixText, ipv6PrefixText, prefixWord } from '@/lib/bgp/mrt/ip';
import type { RoutePrefix } from '@/lib/bgp/mrt/types';

export const SAFI_UNICAST = 1;
export const SAFI_MULTICAST = 2;
export const SAFI_LABELED = 4;
export const SAFI_VPN = 128;

/** True for the AFI/SAFI pairs whose NLRI this module can frame. */
export function nlriSupported(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2 || safi === 3 || safi === SAFI_LABELED || safi === SAFI_VPN);
}

/** RFC 4364 §4.2 route distinguisher text: type 0 "asn:n", type 1 "a.b.c.d:n", type 2 "asn4:n". */
export function formatRd(b: Uint8Array, o: number): string {
  const type = (b[o]! << 8) | b[o + 1]!;
  if (type === 1) return `${ipv4At(b, o + 2)}:${(b[o + 6]! << 8) | b[o + 7]!}`;
  const hi16 = (b[o + 2]! << 8) | b[o + 3]!;
  const mid32 = ((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0;
  if (type === 2) return `${mid32}:${(b[o + 6]! << 8) | b[o + 7]!}`;
  const low32 = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
  return type === 0 ? `${hi16}:${low32}` : `${type}:${hi16}:${low32}`;
}

/**
 * A decoded NLRI entry. The address is kept as numbers (host bits zeroed) and its text is made on
 * first read of `prefix`, then kept: a consumer that filters or counts routes without their text
 * creates no string per route, and the one that reads it pays once. Small fields are packed into
 * one number (node runs V8 without pointer compression: every field is 8 bytes, and there is one
 * of these per route).
 */
export class MrtRoutePrefix implements RoutePrefix {
  private text: string | null = null;

  constructor(
    /** length | afi << 8 | safi << 10 | hostBitsSet << 18 */
    private readonly m: number,
    readonly pathId: number | null,
    readonly rd: string | null,
    readonly labels: number[] | null,
    // Address words as signed 32-bit values (small integers stored in place; an unsigned word
    // above 2^31 would be a separate heap number), most significant first; IPv4: w0 only.
    private readonly w0: number,
    private readonly w1: number,
    private readonly w2: number,
    private readonly w3: number,
  ) {}

  get length(): number {
    return this.m & 0xff;
  }
  get afi(): number {
    return (this.m >> 8) & 3;
  }
  get safi(): number {
    return (this.m >> 10) & 0xff;
  }
  get hostBitsSet(): boolean {
    return (this.m & (1 << 18)) !== 0;
  }

  get prefix(): string {
    return (this.text ??= this.afi === 2 ? ipv6PrefixText(this.w0, this.w1, this.w2, this.w3, this.length) : ipv4PrefixText(this.w0 >>> 0, this.length));
  }

  /** 32-bit word k (0-3) of the address, unsigned (IPv4: word 0 is the address). */
  word(k: number): number {
    return (k === 0 ? this.w0 : k === 1 ? this.w1 : k === 2 ? this.w2 : this.w3) >>> 0;
  }

  /** Same prefix text: same family, length and address (safi, path id, RD, labels not compared). */
  samePrefix(q: MrtRoutePrefix): boolean {
    return ((this.m ^ q.m) & 0x3ff) === 0 && this.w0 === q.w0 && this.w1 === q.w1 && this.w2 === q.w2 && this.w3 === q.w3;
  }

  /** The same route under another ADD-PATH identifier (RIB entries share their record's prefix). */
  withPathId(pathId: number): MrtRoutePrefix {
    const p = new MrtRoutePrefix(this.m, pathId, this.rd, this.labels, this.w0, this.w1, this.w2, this.w3);
    p.text = this.text;
    return p;
  }

  /** The plain RoutePrefix shape (getters are not own properties, so spread/JSON would miss them). */
  toJSON(): RoutePrefix {
    return { prefix: this.prefix, length: this.length, afi: this.afi, safi: this.safi, pathId: this.pathId, hostBitsSet: this.hostBitsSet, rd: this.rd, labels: this.labels };
  }
}

function makePrefix(b: Uint8Array, o: number, bits: number, afi: number, safi: number, pathId: number | null, rd: string | null, labels: number[] | null): MrtRoutePrefix {
  const m = bits | (afi << 8) | (safi << 10) | (hostBitsSetAt(b, o, bits) ? 1 << 18 : 0);
  const w0 = prefixWord(b, o, bits, 0) | 0;
  if (afi !== 2) return new MrtRoutePrefix(m, pathId, rd, labels, w0, 0, 0, 0);
  return new MrtRoutePrefix(m, pathId, rd, labels, w0, prefixWord(b, o, bits, 1) | 0, prefixWord(b, o, bits, 2) | 0, prefixWord(b, o, bits, 3) | 0);
}

/** The RoutePrefix (no path id, label or RD) of `bits` length whose significant bytes start at b[o]. */
export function routePrefixAt(b: Uint8Array, o: number, bits: number, afi: number, safi: number): MrtRoutePrefix {
  return makePrefix(b, o, bits, afi, safi, null, null, null);
}

/**
 * Decodes one NLRI item at b[o] (ending no later than `end`) into `out`; returns the offset after
 * it. `withdraw` relaxes the label stack rule (RFC 8277 §2.4: a withdrawal may carry 0x800000).
 */
export function readPrefix(b: Uint8Array, o: number, end: number, afi: number, safi: number, addPath: boolean, out: RoutePrefix[]): number {
  let pathId: number | null = null;
  if (addPath) {
    if (o + 4 > end) throw new MrtRecordError('NLRI path identifier runs past its field');
    pathId = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    o += 4;
  }
  if (o >= end) throw new MrtRecordError('NLRI length byte missing');
  let bits = b[o++]!;
  let labels: number[] | null = null;
  let rd: string | null = null;
  if (safi === SAFI_LABELED || safi === SAFI_VPN) {
    labels = [];
    for (;;) {
      if (bits < 24 || o + 3 > end) throw new MrtRecordError('labeled NLRI shorter than its label stack');
      const raw = (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
      labels.push(raw >>> 4);
      o += 3;
      bits -= 24;
      if ((raw & 1) === 1 || raw === 0x800000 || raw === 0) break;
    }
    if (safi === SAFI_VPN) {
      if (bits < 64 || o + 8 > end) throw new MrtRecordError('VPN NLRI shorter than its route distinguisher');
      rd = formatRd(b, o);
      o += 8;
      bits -= 64;
    }
  }
  const max = afi === 2 ? 128 : 32;
  if (bits > max) throw new MrtRecordError(`NLRI prefix length ${bits} exceeds ${max}`);
  const n = (bits + 7) >> 3;
  if (o + n > end) throw new MrtRecordError('NLRI prefix runs past its field');
  out.push(makePrefix(b, o, bits, afi, safi, pathId, rd, labels));
  return o + n;
}

/** Decodes every NLRI item in b[start, end). */
export function readNlriList(b: Uint8Array, start: number, end: number, afi: number, safi: number, addPath: boolean, out: RoutePrefix[]): void {
  let o = start;
  while (o < end) o = readPrefix(b, o, end, afi, safi, addPath, out);
}

/**
 * Like readNlriList, but a trailing item that does not fit (the UPDATE was cut, bgpdump's
 * "INCOMPLETE PACKET") ends the list: the whole prefixes before it are kept. Returns the number of
 * bytes left undecoded (0 when all fitted). A prefix length out of range still throws.
 */
export function readNlriListLenient(b: Uint8Array, start: number, end: number, afi: number, safi: number, addPath: boolean, out: RoutePrefix[]): number {
  const max = afi === 2 ? 128 : 32;
  let o = start;
  while (o < end) {
    const lenAt = addPath ? o + 4 : o;
    if (lenAt >= end) return end - o;
    const bits = b[lenAt]!;
    if (bits <= max && lenAt + 1 + ((bits + 7) >> 3) > end) return end - o;
    o = readPrefix(b, o, end, afi, safi, addPath, out);
  }
  return 0;
}
