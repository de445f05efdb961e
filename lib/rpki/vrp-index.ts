// The validation index: RFC 6811 route origin validation over a VRP set, in process. Pure.
//
// Layout (one table per address family, no object per node): the distinct VRP prefixes sorted by
// (start address, length), each with its last address, its length and the index of its nearest
// enclosing VRP prefix ("parent"); the VRPs of each prefix as parallel ASN / maxLength arrays.
// Prefixes are laminar (two are either nested or disjoint), so for a route P the last entry E
// whose start is ≤ P's start is either the most specific VRP prefix covering P or lies inside it:
// climbing E's parents to the first one that contains P finds it, and the parents above that are
// exactly the other covering prefixes. A bucket table on the top address bits narrows the binary
// search to a few steps. Lookups allocate nothing.
//
// The index is nothing but typed arrays (VrpIndexData), so it can be built on a worker thread and
// handed over without a copy (index-builder.ts); VRP objects for detailed answers are re-created
// from them on demand.

import { formatWordsPrefix } from '@/lib/rpki/prefix-format';
import { prefixToWords, type PrefixWords } from '@/lib/rpki/prefix-words';
import { VERDICT, type RovResult, type VerdictCode, type Vrp } from '@/lib/rpki/types';

const BUCKET_BITS_V4 = 16;
const BUCKET_BITS_V6 = 20;

/** One address family's table: plain data (typed arrays and numbers), transferable between threads. */
export interface FamilyTable {
  /** 1 (IPv4) or 4 (IPv6) words per address. */
  w: number;
  n: number;
  /** Start address of entry i at [i*w, i*w+w): dense, for the binary search. */
  starts: Uint32Array;
  /**
   * Everything else about entry i in one record of `m = w + 6` words at i*m, so that a lookup
   * touches one cache line per entry: last address (w words), length, parent + 1 (0: none), the
   * entry's VRPs as [first, end) indexes into vrpData, and a copy of its first VRP's ASN and
   * maxLength (most prefixes have exactly one VRP: then vrpData is not touched at all).
   */
  meta: Uint32Array;
  m: number;
  /** VRP j: ASN at 2j, maxLength at 2j+1. */
  vrpData: Uint32Array;
  bucketShift: number;
  /** bucket[b] = first entry whose start's top bits are ≥ b. */
  bucket: Uint32Array;
}

export interface VrpIndexBuildResult {
  index: VrpIndex;
  /** Entries skipped because they were not a usable VRP (the loaders normally filter these first). */
  rejected: { vrp: Vrp; reason: string }[];
  /** Identical (prefix, maxLength, asn) entries merged. */
  duplicates: number;
}

/** The whole index as transferable data (VrpIndex.data() / VrpIndex.fromData()). */
export interface VrpIndexData {
  v4: FamilyTable;
  v6: FamilyTable;
}

/** Candidate VRPs of one family in parallel typed arrays (no object per entry while sorting). */
interface Staged {
  words: Uint32Array;
  lens: Uint8Array;
  asns: Uint32Array;
  maxs: Uint8Array;
  n: number;
}

function stage(capacity: number, w: number): Staged {
  return { words: new Uint32Array(capacity * w), lens: new Uint8Array(capacity), asns: new Uint32Array(capacity), maxs: new Uint8Array(capacity), n: 0 };
}

function push(st: Staged, w: number, p: PrefixWords, vrp: Vrp): void {
  const i = st.n++;
  st.words[i * w] = p.w0;
  if (w === 4) {
    st.words[i * 4 + 1] = p.w1;
    st.words[i * 4 + 2] = p.w2;
    st.words[i * 4 + 3] = p.w3;
  }
  st.lens[i] = p.length;
  st.asns[i] = vrp.asn;
  st.maxs[i] = vrp.maxLength;
}

/** One stable counting-sort pass of `order` by a 16-bit digit. */
function radixPass(order: Uint32Array, tmp: Uint32Array, digit: (i: number) => number, counts: Uint32Array): void {
  counts.fill(0);
  const n = order.length;
  for (let k = 0; k < n; k++) counts[digit(order[k]!) + 1]!++;
  for (let d = 1; d < counts.length; d++) counts[d]! += counts[d - 1]!;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    tmp[counts[digit(i)]!++] = i;
  }
  order.set(tmp);
}

/**
 * Order of the staged entries by (address, length, asn, maxLength): LSD radix sort on 16-bit
 * digits, linear time (a comparator sort of 700k entries took over a second, mostly in calls).
 */
function sortedOrder(st: Staged, w: number): Uint32Array {
  const n = st.n;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const tmp = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  const { words, lens, asns, maxs } = st;
  radixPass(order, tmp, (i) => maxs[i]!, counts);
  radixPass(order, tmp, (i) => asns[i]! & 0xffff, counts);
  radixPass(order, tmp, (i) => asns[i]! >>> 16, counts);
  radixPass(order, tmp, (i) => lens[i]!, counts);
  for (let k = w - 1; k >= 0; k--) {
    radixPass(order, tmp, (i) => words[i * w + k]! & 0xffff, counts);
    radixPass(order, tmp, (i) => words[i * w + k]! >>> 16, counts);
  }
  return order;
}

function buildTable(st: Staged, w: number): { table: FamilyTable; duplicates: number } {
  const order = sortedOrder(st, w);
  const m = w + 6;
  const { words, lens, asns, maxs } = st;
  let nVrps = 0;
  const vrpData = new Uint32Array(st.n * 2);
  const starts = new Uint32Array(st.n * w);
  const meta = new Uint32Array(st.n * m);
  let n = 0;
  let duplicates = 0;
  let prev = -1;
  for (let k = 0; k < order.length; k++) {
    const it = order[k]!;
    let samePrefix = prev >= 0 && lens[prev] === lens[it];
    for (let x = 0; samePrefix && x < w; x++) samePrefix = words[prev * w + x] === words[it * w + x];
    if (samePrefix && asns[prev] === asns[it] && maxs[prev] === maxs[it]) {
      duplicates++;
      continue;
    }
    if (!samePrefix) {
      const mb = n * m;
      const len = lens[it]!;
      for (let x = 0; x < w; x++) {
        const word = words[it * w + x]!;
        starts[n * w + x] = word;
        // Last address: host bits set. `keep` = network bits within this word.
        const keep = len - x * 32;
        meta[mb + x] = keep >= 32 ? word : keep <= 0 ? 0xffffffff : (word | (0xffffffff >>> keep)) >>> 0;
      }
      meta[mb + w] = len;
      meta[mb + w + 2] = nVrps;
      meta[mb + w + 4] = asns[it]!;
      meta[mb + w + 5] = maxs[it]!;
      n++;
    }
    vrpData[nVrps * 2] = asns[it]!;
    vrpData[nVrps * 2 + 1] = maxs[it]!;
    nVrps++;
    meta[(n - 1) * m + w + 3] = nVrps;
    prev = it;
  }
  // Sweep in sorted order with a stack of the open enclosing prefixes to find each parent.
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    while (stack.length > 0 && !endsWithin(meta, m, w, i, stack[stack.length - 1]!)) stack.pop();
    meta[i * m + w + 1] = stack.length > 0 ? stack[stack.length - 1]! + 1 : 0;
    stack.push(i);
  }
  const bucketBits = w === 1 ? BUCKET_BITS_V4 : BUCKET_BITS_V6;
  const bucketShift = 32 - bucketBits;
  const bucket = new Uint32Array((1 << bucketBits) + 1);
  let b = 0;
  for (let i = 0; i < n; i++) {
    const top = starts[i * w]! >>> bucketShift;
    while (b <= top) bucket[b++] = i;
  }
  while (b < bucket.length) bucket[b++] = n;
  return {
    table: { w, n, starts: starts.slice(0, n * w), meta: meta.slice(0, n * m), m, vrpData: vrpData.slice(0, nVrps * 2), bucketShift, bucket },
    duplicates,
  };
}

/**
 * Entry `inner` ends at or before entry `outer` ends. `outer` sorts first, so (prefixes being
 * laminar) this means outer contains inner.
 */
function endsWithin(meta: Uint32Array, m: number, w: number, inner: number, outer: number): boolean {
  for (let k = 0; k < w; k++) {
    const ie = meta[inner * m + k]!;
    const oe = meta[outer * m + k]!;
    if (ie !== oe) return ie < oe;
  }
  return true;
}

/** Usable as a VRP: canonical prefix, length ≤ maxLength ≤ family width, ASN in range. */
export function checkVrp(vrp: Vrp): { p: PrefixWords } | { error: string } {
  let p: PrefixWords;
  try {
    p = prefixToWords(vrp.prefix);
  } catch (err) {
    return { error: err instanceof Error ? err.message : 'bad prefix' };
  }
  const width = p.family === 4 ? 32 : 128;
  if (!Number.isInteger(vrp.maxLength) || vrp.maxLength < p.length || vrp.maxLength > width) {
    return { error: `maxLength ${vrp.maxLength} outside ${p.length}..${width}` };
  }
  if (!Number.isInteger(vrp.asn) || vrp.asn < 0 || vrp.asn > 0xffffffff) return { error: `bad ASN ${vrp.asn}` };
  return { p };
}

const EMPTY: Vrp[] = [];

/** VRP j of table entry i, as an object (detailed answers only: not on the validation path). */
function vrpAt(t: FamilyTable, i: number, j: number): Vrp {
  const words: [number, number, number, number] = [t.starts[i * t.w]!, 0, 0, 0];
  if (t.w === 4) {
    words[1] = t.starts[i * 4 + 1]!;
    words[2] = t.starts[i * 4 + 2]!;
    words[3] = t.starts[i * 4 + 3]!;
  }
  const prefix = formatWordsPrefix(t.w === 1 ? 4 : 6, words, t.meta[i * t.m + t.w]!);
  return { prefix, maxLength: t.vrpData[j * 2 + 1]!, asn: t.vrpData[j * 2]! };
}

export class VrpIndex {
  private constructor(
    private readonly v4: FamilyTable,
    private readonly v6: FamilyTable,
  ) {}

  static build(vrps: readonly Vrp[]): VrpIndexBuildResult {
    let v6 = 0;
    for (const vrp of vrps) if (vrp.prefix.includes(':')) v6++;
    const four = stage(vrps.length - v6, 1);
    const six = stage(v6, 4);
    const rejected: { vrp: Vrp; reason: string }[] = [];
    for (const vrp of vrps) {
      const checked = checkVrp(vrp);
      if ('error' in checked) rejected.push({ vrp, reason: checked.error });
      else if (checked.p.family === 4) push(four, 1, checked.p, vrp);
      else push(six, 4, checked.p, vrp);
    }
    const a = buildTable(four, 1);
    const b = buildTable(six, 4);
    return { index: new VrpIndex(a.table, b.table), rejected, duplicates: a.duplicates + b.duplicates };
  }

  static empty(): VrpIndex {
    return VrpIndex.build([]).index;
  }

  /** An index from data built elsewhere (a worker thread): takes the arrays over, no copy. */
  static fromData(data: VrpIndexData): VrpIndex {
    return new VrpIndex(data.v4, data.v6);
  }

  /** The arrays behind the index (to transfer to another thread; the index must not be used after). */
  data(): VrpIndexData {
    return { v4: this.v4, v6: this.v6 };
  }

  /** Distinct VRPs held. */
  get size(): number {
    return (this.v4.vrpData.length + this.v6.vrpData.length) / 2;
  }

  get counts(): { ipv4: number; ipv6: number } {
    return { ipv4: this.v4.vrpData.length / 2, ipv6: this.v6.vrpData.length / 2 };
  }

  /** Bytes held in the typed arrays (excluding the VRP objects kept for detailed answers). */
  get typedBytes(): number {
    let n = 0;
    for (const t of [this.v4, this.v6]) n += t.starts.byteLength + t.meta.byteLength + t.vrpData.byteLength + t.bucket.byteLength;
    return n;
  }

  /** Every VRP held (IPv4 then IPv6, sorted by prefix), as new objects. */
  allVrps(): Vrp[] {
    const out: Vrp[] = [];
    for (const t of [this.v4, this.v6]) {
      for (let i = 0; i < t.n; i++) {
        const r = i * t.m + t.w;
        for (let j = t.meta[r + 2]!; j < t.meta[r + 3]!; j++) out.push(vrpAt(t, i, j));
      }
    }
    return out;
  }

  /** Most specific VRP prefix entry covering an IPv4 route, or -1. */
  private coverV4(addr: number, len: number): number {
    const t = this.v4;
    const { starts, meta, bucket } = t;
    const b = addr >>> t.bucketShift;
    let lo = bucket[b]!;
    let hi = bucket[b + 1]!;
    let i: number;
    if (lo === hi || starts[lo]! > addr) i = lo - 1;
    else {
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! <= addr) lo = mid;
        else hi = mid;
      }
      i = lo;
    }
    // meta record of IPv4 entry i (m = 7): end, length, parent + 1, …
    while (i >= 0 && (meta[i * 7 + 1]! > len || meta[i * 7]! < addr)) i = meta[i * 7 + 2]! - 1;
    return i;
  }

  private coverV6(a0: number, a1: number, a2: number, a3: number, len: number): number {
    const t = this.v6;
    const { starts, meta, bucket } = t;
    const b = a0 >>> t.bucketShift;
    let lo = bucket[b]!;
    let hi = bucket[b + 1]!;
    let i: number;
    if (lo === hi || !le6(starts, lo * 4, a0, a1, a2, a3)) i = lo - 1;
    else {
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (le6(starts, mid * 4, a0, a1, a2, a3)) lo = mid;
        else hi = mid;
      }
      i = lo;
    }
    // meta record of IPv6 entry i (m = 10): end (4 words), length, parent + 1, …
    while (i >= 0 && (meta[i * 10 + 4]! > len || !ge6(meta, i * 10, a0, a1, a2, a3))) i = meta[i * 10 + 5]! - 1;
    return i;
  }

  /** Verdict from the covering chain starting at entry i. `origin` < 0 means "none" (AS_SET). */
  private static verdict(t: FamilyTable, i: number, len: number, origin: number): VerdictCode {
    if (i < 0) return VERDICT.notFound;
    const { meta, m, w, vrpData } = t;
    let sawOrigin = false;
    for (let k = i; k >= 0; k = meta[k * m + w + 1]! - 1) {
      const r = k * m + w;
      if (meta[r + 4] === origin) {
        if (meta[r + 5]! >= len) return VERDICT.valid;
        sawOrigin = true;
      }
      const end = meta[r + 3]! * 2;
      for (let j = meta[r + 2]! * 2 + 2; j < end; j += 2) {
        if (vrpData[j] === origin) {
          if (vrpData[j + 1]! >= len) return VERDICT.valid;
          sawOrigin = true;
        }
      }
    }
    return sawOrigin ? VERDICT.invalidLength : VERDICT.invalidAsn;
  }

  /**
   * Hot path for IPv4: `addr` the network address as an unsigned 32-bit number, `origin` the origin
   * ASN or -1 when undetermined. AS0 never matches (RFC 7607), so origin 0 counts as undetermined.
   */
  validateV4(addr: number, len: number, origin: number): VerdictCode {
    return VrpIndex.verdict(this.v4, this.coverV4(addr, len), len, origin > 0 ? origin : -1);
  }

  /** Hot path for IPv6 (four big-endian 32-bit words). */
  validateV6(a0: number, a1: number, a2: number, a3: number, len: number, origin: number): VerdictCode {
    return VrpIndex.verdict(this.v6, this.coverV6(a0, a1, a2, a3, len), len, origin > 0 ? origin : -1);
  }

  validateWords(p: PrefixWords, origin: number | null): VerdictCode {
    const o = origin ?? -1;
    return p.family === 4 ? this.validateV4(p.w0, p.length, o) : this.validateV6(p.w0, p.w1, p.w2, p.w3, p.length, o);
  }

  /** Covering VRPs of a route, most specific prefix first. */
  coveringWords(p: PrefixWords): Vrp[] {
    const t = p.family === 4 ? this.v4 : this.v6;
    let i = p.family === 4 ? this.coverV4(p.w0, p.length) : this.coverV6(p.w0, p.w1, p.w2, p.w3, p.length);
    if (i < 0) return EMPTY;
    const { meta, m, w } = t;
    const out: Vrp[] = [];
    for (; i >= 0; i = meta[i * m + w + 1]! - 1) {
      for (let j = meta[i * m + w + 2]!; j < meta[i * m + w + 3]!; j++) out.push(vrpAt(t, i, j));
    }
    return out;
  }

  /** RFC 6811 verdict with the covering VRPs. Throws PrefixError for a bad prefix (host bits are zeroed). */
  validate(prefix: string, origin: number | null): RovResult {
    const p = prefixToWords(prefix, true);
    return resultFromCode(this.validateWords(p, origin), this.coveringWords(p));
  }
}

export function resultFromCode(code: VerdictCode, covering: Vrp[]): RovResult {
  switch (code) {
    case VERDICT.valid:
      return { state: 'valid', reason: null, covering };
    case VERDICT.invalidAsn:
      return { state: 'invalid', reason: 'as_mismatch', covering };
    case VERDICT.invalidLength:
      return { state: 'invalid', reason: 'max_length', covering };
    default:
      return { state: 'not_found', reason: null, covering };
  }
}

/** starts[at..at+3] ≤ (a0..a3), lexicographically. */
function le6(arr: Uint32Array, at: number, a0: number, a1: number, a2: number, a3: number): boolean {
  let x = arr[at]!;
  if (x !== a0) return x < a0;
  x = arr[at + 1]!;
  if (x !== a1) return x < a1;
  x = arr[at + 2]!;
  if (x !== a2) return x < a2;
  return arr[at + 3]! <= a3;
}

/** arr[at..at+3] ≥ (a0..a3). */
function ge6(arr: Uint32Array, at: number, a0: number, a1: number, a2: number, a3: number): boolean {
  let x = arr[at]!;
  if (x !== a0) return x > a0;
  x = arr[at + 1]!;
  if (x !== a1) return x > a1;
  x = arr[at + 2]!;
  if (x !== a2) return x > a2;
  return arr[at + 3]! >= a3;
}
