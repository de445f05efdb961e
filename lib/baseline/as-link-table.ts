// Counts per directed AS adjacency (from, to), compact (pure): an open-addressing hash table in
// three typed arrays (from, to, count) with linear probing. ~500,000 adjacencies take 12 bytes a
// slot at most 70 % load (~9-18 MiB per window), against ~100 bytes per entry for nested Maps, and
// a lookup touches one or two cache lines instead of two Map probes. A slot is empty when its count
// is 0: an adjacency counted 0 times is the same as one never seen (linkHint answers 0 for both).

const MAX_LOAD = 0.7;

/** Mixes both ASNs into a 32-bit hash (murmur3 finalizer over a combination of the two). */
function mix(from: number, to: number): number {
  let h = Math.imul(from ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(to + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class AsLinkTable {
  private fromAs: Uint32Array;
  private toAs: Uint32Array;
  private counts: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap * MAX_LOAD < expected) cap *= 2;
    this.fromAs = new Uint32Array(cap);
    this.toAs = new Uint32Array(cap);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** A table holding these rows (a later row of the same pair replaces the earlier, as a Map would). */
  static fromRows(rows: readonly { from: number; to: number; count: number }[]): AsLinkTable {
    const t = new AsLinkTable(rows.length);
    for (const r of rows) t.set(r.from, r.to, r.count);
    return t;
  }

  /** Distinct adjacencies with a count above 0. */
  get size(): number {
    return this.used;
  }

  get capacity(): number {
    return this.counts.length;
  }

  /** Bytes of the typed arrays (the whole structure: it holds nothing else). */
  get byteLength(): number {
    return this.fromAs.byteLength + this.toAs.byteLength + this.counts.byteLength;
  }

  /** Occurrences of from → to, 0 when never seen. */
  get(from: number, to: number): number {
    const f = from >>> 0;
    const t = to >>> 0;
    for (let i = mix(f, t) & this.mask; ; i = (i + 1) & this.mask) {
      const c = this.counts[i]!;
      if (c === 0) return 0;
      if (this.fromAs[i] === f && this.toAs[i] === t) return c;
    }
  }

  /** Adds `delta` occurrences of from → to (the count saturates at 2^32 - 1). */
  add(from: number, to: number, delta = 1): void {
    this.put(from, to, delta, true);
  }

  /** Sets the count of from → to; 0 (or less) removes the pair. */
  set(from: number, to: number, count: number): void {
    this.put(from, to, count, false);
  }

  private put(from: number, to: number, n: number, add: boolean): void {
    const v = Math.min(0xffff_ffff, Math.max(0, Math.round(n)));
    const f = from >>> 0;
    const t = to >>> 0;
    let i = mix(f, t) & this.mask;
    for (; this.counts[i] !== 0; i = (i + 1) & this.mask) {
      if (this.fromAs[i] === f && this.toAs[i] === t) {
        if (add) this.counts[i] = Math.min(0xffff_ffff, this.counts[i]! + v);
        else if (v > 0) this.counts[i] = v;
        else this.removeAt(i);
        return;
      }
    }
    if (v === 0) return;
    this.fromAs[i] = f;
    this.toAs[i] = t;
    this.counts[i] = v;
    if (++this.used > this.counts.length * MAX_LOAD) this.grow();
  }

  /** Deletes slot i and shifts later members of its probe run back, so no lookup stops early. */
  private removeAt(i: number): void {
    const m = this.mask;
    let hole = i;
    for (let j = (i + 1) & m; this.counts[j] !== 0; j = (j + 1) & m) {
      const home = mix(this.fromAs[j]!, this.toAs[j]!) & m;
      // j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      this.fromAs[hole] = this.fromAs[j]!;
      this.toAs[hole] = this.toAs[j]!;
      this.counts[hole] = this.counts[j]!;
      hole = j;
    }
    this.counts[hole] = 0;
    this.fromAs[hole] = 0;
    this.toAs[hole] = 0;
    this.used--;
  }

  /** Every (from, to, count), in no particular order. */
  *entries(): IterableIterator<[number, number, number]> {
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) yield [this.fromAs[i]!, this.toAs[i]!, this.counts[i]!];
  }

  private grow(): void {
    const { fromAs, toAs, counts } = this;
    const cap = counts.length * 2;
    this.fromAs = new Uint32Array(cap);
    this.toAs = new Uint32Array(cap);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) this.add(fromAs[i]!, toAs[i]!, counts[i]!);
  }
}
