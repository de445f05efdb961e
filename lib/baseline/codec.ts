// Packed binary form of one prefix's window sums (pure): the bytea stored in prefix_baselines
// and, byte for byte, the entries of the run-time cache's arena. Little-endian (asserted):
// a host of the other order would read garbage rather than fail.
//
// Layout, in 32-bit words from the entry start (8-byte aligned):
//   0..15   8 float64: hoursSeen annSum annSq wdSum wdSq updSq peersSum collSum
//   16..23  u32: version nOrigins nLinks nPaths nLengths nPeerHist nCollHist 0
//   24..    origins (asn, count)*, links (from, to, count)*, paths (key, count)*,
//           lengths (length, count)*, peerHist (bucket << 20 | hours)*, collHist (same)*
// Lists are sorted by key so a lookup inside a prefix is a binary search.
//
// Compact form (version 2, run-time cache only, never stored): compactBaseline() rewrites an entry
// for the cache's arena. Same sums and header (word 23 = nAs | idxBytes << 24 | countBytes << 28);
// then origins (asn, count)*, the distinct ASes of the links (sorted u32), path keys (sorted u32),
// lengths, peerHist, collHist as in version 1; then bytes: links as (from, to) indices into the AS
// list (1 or 2 bytes each), link counts, path counts (1, 2 or 4 bytes each: the entry's widest).
// A 30-day entry seen by a few dozen peers shrinks by about a third; BaselineView reads both.

import { BaselineAccumulator, linkKey, parseLinkKey } from '@/lib/baseline/accumulator';
import { bucketLow } from '@/lib/baseline/histogram';

const VERSION = 1;
const COMPACT = 2;
const SHAPE_AT = 23;
const HEADER_WORDS = 24;
const COUNTS_AT = 16;
const MAX_U32 = 0xffff_ffff;
const HOURS_BITS = 20;
const HOURS_MASK = (1 << HOURS_BITS) - 1;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('lib/baseline/codec assumes a little-endian host');

const u32 = (n: number): number => Math.min(MAX_U32, Math.max(0, Math.round(n)));

/** Words an entry of these list sizes takes, rounded up to whole 8-byte units. */
export function entryWords(o: number, l: number, p: number, len: number, ph: number, ch: number): number {
  const words = HEADER_WORDS + 2 * o + 3 * l + 2 * p + 2 * len + ph + ch;
  return words + (words & 1);
}

/** The parts of an entry as sorted (key, count) lists: what encodeBaseline packs. */
export interface BaselineParts {
  /** hoursSeen annSum annSq wdSum wdSq updSq peersSum collSum. */
  sums: readonly [number, number, number, number, number, number, number, number];
  /** Each list sorted by its key(s), keys distinct. */
  origins: readonly (readonly [number, number])[];
  links: readonly (readonly [number, number, number])[];
  paths: readonly (readonly [number, number])[];
  lengths: readonly (readonly [number, number])[];
  peerHist: readonly (readonly [number, number])[];
  collHist: readonly (readonly [number, number])[];
}

export function encodeBaseline(acc: BaselineAccumulator): Uint8Array {
  return encodeBaselineParts({
    sums: [acc.hoursSeen, acc.annSum, acc.annSq, acc.wdSum, acc.wdSq, acc.updSq, acc.peersSum, acc.collSum],
    origins: [...acc.origins.entries()].sort((a, b) => a[0] - b[0]),
    links: [...acc.links.entries()].map(([k, n]) => [...parseLinkKey(k), n] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    paths: [...acc.paths.entries()].map(([k, n]) => [k >>> 0, n] as const).sort((a, b) => a[0] - b[0]),
    lengths: [...acc.lengths.entries()].sort((a, b) => a[0] - b[0]),
    peerHist: [...acc.peerHist.entries()].sort((a, b) => a[0] - b[0]),
    collHist: [...acc.collHist.entries()].sort((a, b) => a[0] - b[0]),
  });
}

/** Packs already sorted parts (path keys as unsigned 32-bit); encodeBaseline sorts a Map-based accumulator into these. */
export function encodeBaselineParts(p: BaselineParts): Uint8Array {
  const { origins, links, paths, lengths, peerHist: ph, collHist: ch } = p;
  const words = entryWords(origins.length, links.length, paths.length, lengths.length, ph.length, ch.length);
  const buf = new ArrayBuffer(words * 4);
  const f = new Float64Array(buf, 0, 8);
  const w = new Uint32Array(buf);
  f.set(p.sums);
  w.set([VERSION, origins.length, links.length, paths.length, lengths.length, ph.length, ch.length], COUNTS_AT);
  let i = HEADER_WORDS;
  for (const [asn, n] of origins) (w[i++] = u32(asn)), (w[i++] = u32(n));
  for (const [a, b, n] of links) (w[i++] = u32(a)), (w[i++] = u32(b)), (w[i++] = u32(n));
  for (const [k, n] of paths) (w[i++] = k >>> 0), (w[i++] = u32(n));
  for (const [len, n] of lengths) (w[i++] = u32(len)), (w[i++] = u32(n));
  for (const [b, n] of ph) w[i++] = ((b << HOURS_BITS) | Math.min(HOURS_MASK, n)) >>> 0;
  for (const [b, n] of ch) w[i++] = ((b << HOURS_BITS) | Math.min(HOURS_MASK, n)) >>> 0;
  return new Uint8Array(buf);
}

const EMPTY_BYTES = new Uint8Array(0);

export class BaselineCodecError extends Error {
  override name = 'BaselineCodecError';
}

/**
 * Read access to one packed entry inside (f64, u32) views of the same buffer, starting at the
 * even word `base`. Allocates nothing per call except the materializing helpers (origins() …).
 */
export class BaselineView {
  private readonly compact: boolean;
  private readonly b: Uint8Array;

  /** `b`: a byte view of the same buffer (needed for compact entries; made when absent). */
  constructor(
    private readonly f: Float64Array,
    private readonly w: Uint32Array,
    private readonly base: number,
    b?: Uint8Array,
  ) {
    this.compact = w[base + COUNTS_AT] === COMPACT;
    this.b = b ?? (this.compact ? new Uint8Array(w.buffer, w.byteOffset, w.byteLength) : EMPTY_BYTES);
  }

  /** A view over a standalone encoded entry (from the database); validates the sizes. */
  static fromBytes(bytes: Uint8Array): BaselineView {
    if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteLength % 8 !== 0) {
      throw new BaselineCodecError(`baseline entry of ${bytes.byteLength} bytes is not a packed baseline`);
    }
    const buf = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(buf).set(bytes);
    const view = new BaselineView(new Float64Array(buf), new Uint32Array(buf), 0);
    if (view.version !== VERSION) throw new BaselineCodecError(`baseline entry version ${view.version}, expected ${VERSION}`);
    if (view.words() * 4 !== bytes.byteLength) {
      throw new BaselineCodecError(`baseline entry says ${view.words() * 4} bytes, got ${bytes.byteLength}`);
    }
    return view;
  }

  private num(i: number): number {
    return this.f[this.base / 2 + i]!;
  }
  private cnt(i: number): number {
    return this.w[this.base + COUNTS_AT + i]!;
  }
  get version(): number {
    return this.cnt(0);
  }
  get hoursSeen(): number {
    return this.num(0);
  }
  get announcements(): number {
    return this.num(1);
  }
  get announcementsSq(): number {
    return this.num(2);
  }
  get withdrawals(): number {
    return this.num(3);
  }
  get withdrawalsSq(): number {
    return this.num(4);
  }
  get updatesSq(): number {
    return this.num(5);
  }
  get peersSum(): number {
    return this.num(6);
  }
  get collectorsSum(): number {
    return this.num(7);
  }
  get originCountTotal(): number {
    let s = 0;
    for (let i = 0, at = this.originsAt(); i < this.cnt(1); i++) s += this.w[at + 2 * i + 1]!;
    return s;
  }
  get nOrigins(): number {
    return this.cnt(1);
  }
  get nLinks(): number {
    return this.cnt(2);
  }
  get nPaths(): number {
    return this.cnt(3);
  }

  /** Size of the entry in 32-bit words. */
  words(): number {
    if (!this.compact) return entryWords(this.cnt(1), this.cnt(2), this.cnt(3), this.cnt(4), this.cnt(5), this.cnt(6));
    const bytes = (this.bytesAt() - this.base * 4) + this.cnt(2) * (2 * this.idxBytes() + this.countBytes()) + this.cnt(3) * this.countBytes();
    const words = Math.ceil(bytes / 4);
    return words + (words & 1);
  }

  // Compact layout: shape word, the AS list, and where the byte area begins.
  private nAs(): number {
    return this.w[this.base + SHAPE_AT]! & 0xff_ffff;
  }
  private idxBytes(): number {
    return (this.w[this.base + SHAPE_AT]! >>> 24) & 0xf;
  }
  private countBytes(): number {
    return this.w[this.base + SHAPE_AT]! >>> 28;
  }
  private asAt(): number {
    return this.originsAt() + 2 * this.cnt(1);
  }
  private bytesAt(): number {
    return (this.collHistAt() + this.cnt(6)) * 4;
  }
  /** Byte offset of the link counts / path counts. */
  private linkCountsAt(): number {
    return this.bytesAt() + 2 * this.idxBytes() * this.cnt(2);
  }
  private pathCountsAt(): number {
    return this.linkCountsAt() + this.countBytes() * this.cnt(2);
  }
  private uint(at: number, width: number): number {
    const b = this.b;
    if (width === 1) return b[at]!;
    if (width === 2) return b[at]! | (b[at + 1]! << 8);
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }
  /** Index of the AS in the compact entry's AS list, -1 when absent. */
  private asIndex(asn: number): number {
    const at = this.asAt();
    let lo = 0;
    let hi = this.nAs() - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.w[at + mid]!;
      if (v === asn) return mid;
      if (v < asn) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private originsAt(): number {
    return this.base + HEADER_WORDS;
  }
  private linksAt(): number {
    return this.originsAt() + 2 * this.cnt(1);
  }
  /** Version 1: (key, count) pairs; compact: the keys alone. */
  private pathsAt(): number {
    return this.compact ? this.asAt() + this.nAs() : this.linksAt() + 3 * this.cnt(2);
  }
  private lengthsAt(): number {
    return this.pathsAt() + (this.compact ? 1 : 2) * this.cnt(3);
  }
  private peerHistAt(): number {
    return this.lengthsAt() + 2 * this.cnt(4);
  }
  private collHistAt(): number {
    return this.peerHistAt() + this.cnt(5);
  }

  /** Binary search in a sorted list of `stride`-word records; returns the record's word index or -1. */
  private find(at: number, n: number, stride: number, k0: number, k1?: number): number {
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = at + mid * stride;
      const a = this.w[r]!;
      const c = a !== k0 ? a - k0 : k1 === undefined ? 0 : this.w[r + 1]! - k1;
      if (c === 0) return r;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Announcements with this origin in the window (0: never seen). */
  originCount(asn: number): number {
    const r = this.find(this.originsAt(), this.cnt(1), 2, asn >>> 0);
    return r < 0 ? 0 : this.w[r + 1]!;
  }

  /** Occurrences of the adjacent pair from → to in the prefix's paths. */
  linkCount(from: number, to: number): number {
    if (this.compact) {
      const fi = this.asIndex(from >>> 0);
      const ti = fi < 0 ? -1 : this.asIndex(to >>> 0);
      if (ti < 0) return 0;
      const ib = this.idxBytes();
      const at = this.bytesAt();
      let lo = 0;
      let hi = this.cnt(2) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const o = at + 2 * ib * mid;
        const c = this.uint(o, ib) - fi || this.uint(o + ib, ib) - ti;
        if (c === 0) return this.uint(this.linkCountsAt() + mid * this.countBytes(), this.countBytes());
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return 0;
    }
    const r = this.find(this.linksAt(), this.cnt(2), 3, from >>> 0, to >>> 0);
    return r < 0 ? 0 : this.w[r + 2]!;
  }

  /** Announcements with this path pattern (lib/baseline/path-key.ts). */
  pathCount(key: number): number {
    if (this.compact) {
      const r = this.find(this.pathsAt(), this.cnt(3), 1, key >>> 0);
      return r < 0 ? 0 : this.uint(this.pathCountsAt() + (r - this.pathsAt()) * this.countBytes(), this.countBytes());
    }
    const r = this.find(this.pathsAt(), this.cnt(3), 2, key >>> 0);
    return r < 0 ? 0 : this.w[r + 1]!;
  }

  /** Whether the AS appears in any link of the prefix (a transit AS seen before). */
  hasAsInPaths(asn: number): boolean {
    const a = asn >>> 0;
    // The compact AS list is exactly the ASes of the links.
    if (this.compact) return this.asIndex(a) >= 0;
    for (let i = 0, at = this.linksAt(); i < this.cnt(2); i++) {
      if (this.w[at + 3 * i] === a || this.w[at + 3 * i + 1] === a) return true;
    }
    return false;
  }

  origins(): Map<number, number> {
    return this.pairs(this.originsAt(), this.cnt(1));
  }
  paths(): Map<number, number> {
    const out = new Map<number, number>();
    if (this.compact) {
      const at = this.pathsAt();
      const cb = this.countBytes();
      for (let i = 0, c = this.pathCountsAt(); i < this.cnt(3); i++, c += cb) out.set(this.w[at + i]! | 0, this.uint(c, cb));
      return out;
    }
    for (const [k, n] of this.pairs(this.pathsAt(), this.cnt(3))) out.set(k | 0, n);
    return out;
  }
  pathLengths(): Map<number, number> {
    return this.pairs(this.lengthsAt(), this.cnt(4));
  }
  links(): { from: number; to: number; count: number }[] {
    const out: { from: number; to: number; count: number }[] = [];
    if (this.compact) {
      const ib = this.idxBytes();
      const cb = this.countBytes();
      const as = this.asAt();
      for (let i = 0, o = this.bytesAt(), c = this.linkCountsAt(); i < this.cnt(2); i++, o += 2 * ib, c += cb) {
        out.push({ from: this.w[as + this.uint(o, ib)]!, to: this.w[as + this.uint(o + ib, ib)]!, count: this.uint(c, cb) });
      }
      return out;
    }
    for (let i = 0, at = this.linksAt(); i < this.cnt(2); i++) {
      out.push({ from: this.w[at + 3 * i]!, to: this.w[at + 3 * i + 1]!, count: this.w[at + 3 * i + 2]! });
    }
    return out;
  }
  peerHistogram(): Map<number, number> {
    return this.hist(this.peerHistAt(), this.cnt(5));
  }
  collectorHistogram(): Map<number, number> {
    return this.hist(this.collHistAt(), this.cnt(6));
  }

  /**
   * histogramMedianMax(peerHistogram()).median without building the Map or sorting: the buckets
   * are stored in ascending order. Asked on every withdrawal of a widely seen prefix.
   */
  peerHistogramMedian(): number {
    const at = this.peerHistAt();
    const n = this.cnt(5);
    let total = 0;
    for (let i = 0; i < n; i++) total += this.w[at + i]! & HOURS_MASK;
    if (total === 0) return 0;
    const half = Math.ceil(total / 2);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const v = this.w[at + i]!;
      acc += v & HOURS_MASK;
      if ((v & HOURS_MASK) > 0 && acc >= half) return bucketLow(v >>> HOURS_BITS);
    }
    return 0;
  }

  private pairs(at: number, n: number): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < n; i++) out.set(this.w[at + 2 * i]!, this.w[at + 2 * i + 1]!);
    return out;
  }
  private hist(at: number, n: number): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = this.w[at + i]!;
      out.set(v >>> HOURS_BITS, v & HOURS_MASK);
    }
    return out;
  }

  /** Back to mutable sums, for the rolling update. */
  toAccumulator(): BaselineAccumulator {
    const acc = new BaselineAccumulator();
    acc.hoursSeen = this.hoursSeen;
    acc.annSum = this.announcements;
    acc.annSq = this.announcementsSq;
    acc.wdSum = this.withdrawals;
    acc.wdSq = this.withdrawalsSq;
    acc.updSq = this.updatesSq;
    acc.peersSum = this.peersSum;
    acc.collSum = this.collectorsSum;
    for (const [k, n] of this.origins()) acc.origins.set(k, n);
    for (const l of this.links()) acc.links.set(linkKey(l.from, l.to), l.count);
    for (const [k, n] of this.paths()) acc.paths.set(k, n);
    for (const [k, n] of this.pathLengths()) acc.lengths.set(k, n);
    for (const [k, n] of this.peerHistogram()) acc.peerHist.set(k, n);
    for (const [k, n] of this.collectorHistogram()) acc.collHist.set(k, n);
    return acc;
  }
}

const widthOf = (max: number): number => (max < 0x100 ? 1 : max < 0x1_0000 ? 2 : 4);

/**
 * The compact (version 2) form of a packed version-1 entry for the run-time cache, or the entry
 * itself when compacting would not make it smaller (no links, or more than 65,536 ASes in them).
 */
export function compactBaseline(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteLength % 8 !== 0) return bytes;
  // A Buffer from the database may sit at any offset of its pool: read an aligned copy then.
  const src = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const w = new Uint32Array(src.buffer, src.byteOffset, src.byteLength >>> 2);
  if (w[COUNTS_AT] !== VERSION) return bytes;
  const [nO, nL, nP, nLen, nPH, nCH] = [1, 2, 3, 4, 5, 6].map((i) => w[COUNTS_AT + i]!) as [number, number, number, number, number, number];
  const linksAt = HEADER_WORDS + 2 * nO;
  const pathsAt = linksAt + 3 * nL;
  const restAt = pathsAt + 2 * nP; // lengths, peerHist, collHist: copied as they are
  const restWords = 2 * nLen + nPH + nCH;
  const asSet = new Set<number>();
  let maxCount = 0;
  for (let i = 0; i < nL; i++) {
    asSet.add(w[linksAt + 3 * i]!);
    asSet.add(w[linksAt + 3 * i + 1]!);
    maxCount = Math.max(maxCount, w[linksAt + 3 * i + 2]!);
  }
  for (let i = 0; i < nP; i++) maxCount = Math.max(maxCount, w[pathsAt + 2 * i + 1]!);
  const nAs = asSet.size;
  if (nAs > 0x1_0000) return bytes;
  const ib = nAs <= 0x100 ? 1 : 2;
  const cb = widthOf(maxCount);
  const asList = Uint32Array.from(asSet).sort();
  const headWords = HEADER_WORDS + 2 * nO + nAs + nP + restWords;
  const totalBytes = headWords * 4 + nL * (2 * ib + cb) + nP * cb;
  const size = Math.ceil(totalBytes / 8) * 8;
  if (size >= bytes.byteLength) return bytes;
  const buf = new ArrayBuffer(size);
  const out = new Uint32Array(buf);
  const ob = new Uint8Array(buf);
  out.set(w.subarray(0, linksAt)); // sums, header, origins
  out[COUNTS_AT] = COMPACT;
  out[SHAPE_AT] = (nAs | (ib << 24) | (cb << 28)) >>> 0;
  out.set(asList, linksAt);
  let at = linksAt + nAs;
  for (let i = 0; i < nP; i++) out[at++] = w[pathsAt + 2 * i]!;
  out.set(w.subarray(restAt, restAt + restWords), at);
  let o = headWords * 4;
  const put = (v: number, width: number) => {
    for (let k = 0; k < width; k++) ob[o++] = (v >>> (8 * k)) & 0xff;
  };
  const index = new Map<number, number>();
  asList.forEach((a, i) => index.set(a, i));
  // Links stay in (from, to) order: the AS list is sorted, so indices sort like the ASNs.
  for (let i = 0; i < nL; i++) put(index.get(w[linksAt + 3 * i]!)!, ib), put(index.get(w[linksAt + 3 * i + 1]!)!, ib);
  for (let i = 0; i < nL; i++) put(w[linksAt + 3 * i + 2]!, cb);
  for (let i = 0; i < nP; i++) put(w[pathsAt + 2 * i + 1]!, cb);
  return ob;
}
