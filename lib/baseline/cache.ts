// Run-time access to the baselines for the detectors: every prefix's packed window sums in a few
// large ArrayBuffer chunks (an arena), a Map from prefix to a slot, and 3 locations per slot.
// Lookup is one Map probe and an index read: O(1) per prefix, no object per baseline kept on the
// heap (1,000,000 prefixes x 3 windows would otherwise be millions of Maps). Pure: the database
// is reached only through the BaselineSource passed to refresh().

import { AsLinkTable } from '@/lib/baseline/as-link-table';
import { BaselineView, compactBaseline } from '@/lib/baseline/codec';
import { summarizeBaseline, type WindowMeta } from '@/lib/baseline/summary';
import { BASELINE_WINDOWS, type BaselineSummary, type BaselineWindow } from '@/lib/baseline/types';

/** One row of prefix_baselines; state null = removed (tombstone). */
export interface BaselineRow {
  window: BaselineWindow;
  prefix: string;
  state: Uint8Array | null;
  seq: number;
}

export interface BaselineMeta {
  asOfHour: number | null;
  /** Tombstones with seq <= purgedSeq are gone: a cache that has seen less must reload. */
  purgedSeq: number;
  hoursCovered: Record<BaselineWindow, number>;
}

/** Where the cache reads from (lib/db/baselines.ts#pgBaselineSource in production). */
export interface BaselineSource {
  getMeta(): Promise<BaselineMeta>;
  /** Rows with seq > afterSeq in seq order, at most `limit`. */
  listChanges(afterSeq: number, limit: number): Promise<BaselineRow[]>;
  /** Adjacent AS pairs summed over all prefixes, per window. */
  listLinkHints?(window: BaselineWindow): Promise<{ from: number; to: number; count: number }[]>;
}

interface Chunk {
  f64: Float64Array;
  u32: Uint32Array;
  u8: Uint8Array;
  /** Next free 8-byte unit. */
  used: number;
  units: number;
}

const WIDX: Record<BaselineWindow, number> = { '24h': 0, '7d': 1, '30d': 2 };
const NWIN = BASELINE_WINDOWS.length;

export interface BaselineCacheOptions {
  /** Arena chunk size in bytes (default 64 MiB; tests use small ones). */
  chunkBytes?: number;
  /** Rows per page when refreshing. */
  pageSize?: number;
  /**
   * Keep entries in the compact form (codec.ts compactBaseline: link ASes as 1-2 byte indices,
   * counts in the entry's widest byte width), about a third smaller; default true.
   */
  compact?: boolean;
  /**
   * Windows to keep (default all three). A detector reads only config.baselineWindow, and each
   * window is a third of the memory; rows of other windows are skipped (counted in skippedRows),
   * and getBaseline / linkHint answer nothing for them, so a config change of the window needs a
   * cache that keeps the new one.
   */
  windows?: readonly BaselineWindow[];
}

export interface RefreshResult {
  full: boolean;
  applied: number;
}

export class BaselineCache {
  private readonly index = new Map<string, number>();
  private locs = new Uint32Array(1024 * NWIN);
  /** Units of each location, to account garbage when an entry is replaced. */
  private sizes = new Uint32Array(1024 * NWIN);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private chunks: Chunk[] = [];
  private readonly chunkUnits: number;
  private readonly pageSize: number;
  private readonly compactEntries: boolean;
  private readonly keep: ReadonlySet<BaselineWindow>;
  /** Rows of windows this cache does not keep (options.windows). */
  skippedRows = 0;
  private liveUnits = 0;
  private garbageUnits = 0;
  private meta: BaselineMeta = { asOfHour: null, purgedSeq: 0, hoursCovered: { '24h': 0, '7d': 0, '30d': 0 } };
  private readonly metaViews = new Map<BaselineWindow, WindowMeta>();
  /** AS adjacency counts over all prefixes, per window (typed-array hash tables, ~12-18 B per adjacency). */
  private hints = new Map<BaselineWindow, AsLinkTable>();
  /** Highest prefix_baselines.seq applied. */
  lastSeq = 0;
  /** Bumped whenever a prefix gains or loses its slot: slot numbers held outside stay valid until then. */
  private slotGeneration = 0;

  constructor(opts: BaselineCacheOptions = {}) {
    this.chunkUnits = Math.max(64, Math.floor((opts.chunkBytes ?? 64 * 1024 * 1024) / 8));
    this.pageSize = opts.pageSize ?? 20_000;
    this.compactEntries = opts.compact ?? true;
    this.keep = new Set(opts.windows ?? BASELINE_WINDOWS);
    this.chunks = [];
  }

  /** Prefixes with at least one window. */
  get size(): number {
    return this.index.size;
  }

  /** Bytes of the arena in use by live entries, and by replaced ones not yet compacted. */
  arenaStats(): { liveBytes: number; garbageBytes: number; chunkBytes: number } {
    return { liveBytes: this.liveUnits * 8, garbageBytes: this.garbageUnits * 8, chunkBytes: this.chunks.reduce((s, c) => s + c.units * 8, 0) };
  }

  windowMeta(window: BaselineWindow): WindowMeta | undefined {
    if (this.meta.asOfHour === null) return undefined;
    // The rules ask per withdrawal: one object per window until the next refresh, not one per ask.
    let m = this.metaViews.get(window);
    if (!m) this.metaViews.set(window, (m = Object.freeze({ window, asOfHour: this.meta.asOfHour, hoursCovered: this.meta.hoursCovered[window] })));
    return m;
  }

  /** The packed baseline of a prefix (canonical CIDR text) for a window, or undefined. O(1). */
  getBaseline(prefix: string, window: BaselineWindow): BaselineView | undefined {
    const slot = this.index.get(prefix);
    return slot === undefined ? undefined : this.getBaselineAt(slot, window);
  }

  /** Changes when any prefix → slot assignment changes (slotOf answers cached outside go stale). */
  get generation(): number {
    return this.slotGeneration;
  }

  /** The prefix's slot, -1 without any baseline: lets a caller that keeps its own prefix ids skip the string probe. */
  slotOf(prefix: string): number {
    return this.index.get(prefix) ?? -1;
  }

  /** getBaseline by slot (from slotOf, same generation). */
  getBaselineAt(slot: number, window: BaselineWindow): BaselineView | undefined {
    const loc = this.locs[slot * NWIN + WIDX[window]] ?? 0;
    if (loc === 0) return undefined;
    const chunk = this.chunks[Math.floor(loc / this.chunkUnits)]!;
    return new BaselineView(chunk.f64, chunk.u32, (loc % this.chunkUnits) * 2, chunk.u8);
  }

  /** Plain-data form (rates need the window's covered hours), for evidence and tests. */
  getSummary(prefix: string, window: BaselineWindow): BaselineSummary | undefined {
    const view = this.getBaseline(prefix, window);
    const meta = this.windowMeta(window);
    return view && meta ? summarizeBaseline(view, meta) : undefined;
  }

  /** Occurrences of the adjacent AS pair over all prefixes (relationship hint), 0 when unseen. */
  linkHint(from: number, to: number, window: BaselineWindow = '30d'): number {
    return this.hints.get(window)?.get(from, to) ?? 0;
  }

  /** Distinct AS adjacencies and bytes of the link-hint tables, per window. */
  linkHintStats(): Partial<Record<BaselineWindow, { adjacencies: number; bytes: number }>> {
    const out: Partial<Record<BaselineWindow, { adjacencies: number; bytes: number }>> = {};
    for (const [w, t] of this.hints) out[w] = { adjacencies: t.size, bytes: t.byteLength };
    return out;
  }

  /** Stores (or, with null, removes) one prefix's entry for one window. */
  set(prefix: string, window: BaselineWindow, state: Uint8Array | null): void {
    if (!this.keep.has(window)) {
      this.skippedRows++;
      return;
    }
    let slot = this.index.get(prefix);
    if (slot === undefined) {
      if (state === null) return;
      slot = this.allocSlot();
      this.index.set(prefix, slot);
      this.slotGeneration++;
    }
    const at = slot * NWIN + WIDX[window];
    if (this.locs[at] !== 0) {
      this.garbageUnits += this.sizes[at]!;
      this.liveUnits -= this.sizes[at]!;
      this.locs[at] = 0;
      this.sizes[at] = 0;
    }
    if (state !== null) {
      const stored = this.compactEntries ? compactBaseline(state) : state;
      const units = stored.byteLength / 8;
      this.locs[at] = this.write(stored, units);
      this.sizes[at] = units;
      this.liveUnits += units;
    } else if (this.slotEmpty(slot)) {
      this.index.delete(prefix);
      this.freeSlots.push(slot);
      this.slotGeneration++;
    }
    if (this.garbageUnits > this.chunkUnits && this.garbageUnits > this.liveUnits) this.compact();
  }

  clear(): void {
    this.slotGeneration++;
    this.index.clear();
    this.locs = new Uint32Array(1024 * NWIN);
    this.sizes = new Uint32Array(1024 * NWIN);
    this.freeSlots.length = 0;
    this.nextSlot = 0;
    this.chunks = [];
    this.liveUnits = 0;
    this.garbageUnits = 0;
    this.lastSeq = 0;
  }

  /**
   * Brings the cache up to date: a full load the first time (or when tombstones it has not seen
   * were purged), otherwise only the rows changed since the last refresh.
   */
  async refresh(source: BaselineSource): Promise<RefreshResult> {
    const meta = await source.getMeta();
    const full = this.lastSeq === 0 || this.lastSeq < meta.purgedSeq;
    if (full) this.clear();
    let applied = 0;
    for (;;) {
      const rows = await source.listChanges(this.lastSeq, this.pageSize);
      for (const r of rows) {
        this.set(r.prefix, r.window, r.state);
        if (r.seq > this.lastSeq) this.lastSeq = r.seq;
      }
      applied += rows.length;
      if (rows.length < this.pageSize) break;
    }
    const asOfChanged = meta.asOfHour !== this.meta.asOfHour;
    this.meta = meta;
    this.metaViews.clear();
    if (source.listLinkHints && (full || asOfChanged || applied > 0)) {
      for (const w of BASELINE_WINDOWS) if (this.keep.has(w)) this.hints.set(w, AsLinkTable.fromRows(await source.listLinkHints(w)));
    }
    return { full, applied };
  }

  /** Copies every live entry into fresh chunks, dropping replaced ones. */
  compact(): void {
    const old = this.chunks;
    const oldLocs = this.locs;
    this.chunks = [];
    this.locs = new Uint32Array(oldLocs.length);
    this.garbageUnits = 0;
    for (let at = 0; at < oldLocs.length; at++) {
      const loc = oldLocs[at]!;
      if (loc === 0) continue;
      const c = old[Math.floor(loc / this.chunkUnits)]!;
      const start = (loc % this.chunkUnits) * 8;
      const bytes = new Uint8Array(c.u32.buffer, start, this.sizes[at]! * 8);
      this.locs[at] = this.write(bytes, this.sizes[at]!);
    }
  }

  private slotEmpty(slot: number): boolean {
    for (let i = 0; i < NWIN; i++) if (this.locs[slot * NWIN + i] !== 0) return false;
    return true;
  }

  private allocSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.nextSlot++;
    if ((slot + 1) * NWIN > this.locs.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.locs = grow(this.locs);
      this.sizes = grow(this.sizes);
    }
    return slot;
  }

  /** Appends an entry to the arena; returns its location (chunk * chunkUnits + unit, never 0). */
  private write(bytes: Uint8Array, units: number): number {
    if (units > this.chunkUnits - 1) throw new RangeError(`baseline entry of ${units * 8} bytes exceeds the cache chunk size`);
    let c = this.chunks[this.chunks.length - 1];
    if (!c || c.used + units > c.units) {
      const buf = new ArrayBuffer(this.chunkUnits * 8);
      // Unit 0 of every chunk stays unused so no location is 0 (0 means "absent").
      c = { f64: new Float64Array(buf), u32: new Uint32Array(buf), u8: new Uint8Array(buf), used: 1, units: this.chunkUnits };
      this.chunks.push(c);
    }
    new Uint8Array(c.u32.buffer, c.used * 8, units * 8).set(bytes);
    const loc = (this.chunks.length - 1) * this.chunkUnits + c.used;
    c.used += units;
    return loc;
  }
}
