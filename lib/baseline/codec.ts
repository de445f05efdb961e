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

import { BaselineAccumulator, linkKey, parseLinkKey } from '@/lib/baseline/accumulator';
import { bucketLow } from '@/lib/baseline/histogram';

const VERSION = 1;
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

export class BaselineCodecError extends Error {
  override name = 'BaselineCodecError';
}

/**
 * Read access to one packed entry inside (f64, u32) views of the same buffer, starting at the
 * even word `base`. Allocates nothing per call except the materializing helpers (origins() …).
 */
export class BaselineView {
  constructor(
    private readonly f: Float64Array,
    private readonly w: Uint32Array,
    private readonly base: number,
  ) {}

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
    return entryWords(this.cnt(1), this.cnt(2), this.cnt(3), this.cnt(4), this.cnt(5), this.cnt(6));
  }

  private originsAt(): number {
    return this.base + HEADER_WORDS;
  }
  private linksAt(): number {
    return this.originsAt() + 2 * this.cnt(1);
  }
  private pathsAt(): number {
    return this.linksAt() + 3 * this.cnt(2);
  }
  private lengthsAt(): number {
    return this.pathsAt() + 2 * this.cnt(3);
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
    const r = this.find(this.linksAt(), this.cnt(2), 3, from >>> 0, to >>> 0);
    return r < 0 ? 0 : this.w[r + 2]!;
  }

  /** Announcements with this path pattern (lib/baseline/path-key.ts). */
  pathCount(key: number): number {
    const r = this.find(this.pathsAt(), this.cnt(3), 2, key >>> 0);
    return r < 0 ? 0 : this.w[r + 1]!;
  }

  /** Whether the AS appears in any link of the prefix (a transit AS seen before). */
  hasAsInPaths(asn: number): boolean {
    const a = asn >>> 0;
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
    for (const [k, n] of this.pairs(this.pathsAt(), this.cnt(3))) out.set(k | 0, n);
    return out;
  }
  pathLengths(): Map<number, number> {
    return this.pairs(this.lengthsAt(), this.cnt(4));
  }
  links(): { from: number; to: number; count: number }[] {
    const out: { from: number; to: number; count: number }[] = [];
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
