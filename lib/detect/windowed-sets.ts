// Distinct members per key within an event-time window (pure): "which peers withdrew this prefix
// in the last minute", "which more-specifics of this prefix appeared in the last 5 minutes".
// Tumbling windows opened by a key's first member: a window older than its length starts over on
// the next add, and prune() drops stale keys so memory follows the active set, not history.

export interface WindowedEntry {
  startUs: number;
  lastUs: number;
  members: Set<number>;
  /** A second distinct set per key (e.g. collectors next to peers). */
  secondary: Set<number>;
  /** Members at the last report, so a growing burst is reported as it grows, not per member. */
  reported: number;
  /** prune() calls before this window opened (see isPruned). */
  epoch: number;
}

export class WindowedSets<K = string> {
  private readonly entries = new Map<K, WindowedEntry>();
  private epoch = 0;
  private lastPruneUs = -Infinity;

  constructor(private readonly windowUs: number) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Whether a full prune would have dropped the entry: a prune after it opened found it ended.
   * prune() stops early, so entries left behind must read as gone exactly as if it had not.
   */
  private isPruned(e: WindowedEntry): boolean {
    return e.epoch < this.epoch && this.lastPruneUs - e.startUs > this.windowUs;
  }

  /** Adds a member at event time atUs; returns the key's entry after the add. */
  add(key: K, member: number, atUs: number, secondary?: number): WindowedEntry {
    let e = this.entries.get(key);
    // Out of order by more than a window (a replay, a late backfill) opens a new window too.
    if (!e || Math.abs(atUs - e.startUs) > this.windowUs || this.isPruned(e)) {
      e = { startUs: atUs, lastUs: atUs, members: new Set(), secondary: new Set(), reported: 0, epoch: this.epoch };
      // Re-inserted at the end: the Map stays in order of window start (for in-order events), so
      // prune() can stop at the first window still open instead of visiting every key.
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    e.members.add(member);
    if (secondary !== undefined) e.secondary.add(secondary);
    if (atUs > e.lastUs) e.lastUs = atUs;
    return e;
  }

  /** True (and remembered) when the entry has grown by `growth` since it was last reported. */
  shouldReport(e: WindowedEntry, growth = 1.1): boolean {
    if (e.reported > 0 && e.members.size < e.reported * growth) return false;
    e.reported = e.members.size;
    return true;
  }

  get(key: K): WindowedEntry | undefined {
    const e = this.entries.get(key);
    return e && !this.isPruned(e) ? e : undefined;
  }

  /**
   * Drops windows that ended before nowUs, oldest first, stopping at the first one still open.
   * Behind an out-of-order window a few ended ones may stay until a later prune: that costs only
   * memory, since add() starts such a window over anyway. Returns how many were dropped.
   */
  prune(nowUs: number): number {
    this.epoch++;
    if (nowUs > this.lastPruneUs) this.lastPruneUs = nowUs;
    let n = 0;
    for (const [k, e] of this.entries) {
      if (nowUs - e.startUs <= this.windowUs) break;
      this.entries.delete(k);
      n++;
    }
    return n;
  }
}
