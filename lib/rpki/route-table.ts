// The routes currently announced, as (prefix, origin) pairs with their RPKI verdict, in typed
// arrays (one slot per pair) so a full re-validation is a linear pass. Which peer announces what
// is tracked so withdrawals (which carry no origin) release the right pair. Pure.

import type { BgpEvent } from '@/lib/bgp/types';
import { tryPrefixToWords } from '@/lib/rpki/prefix-words';
import { VERDICT, type VerdictCode } from '@/lib/rpki/types';
import { isVerdict } from '@/lib/rpki/validate-events';
import type { VrpIndex } from '@/lib/rpki/vrp-index';

export interface RoutePair {
  prefix: string;
  /** null: undetermined (AS_SET). */
  origin: number | null;
  verdict: VerdictCode;
  /** Event time (µs) of the last announcement of this pair. */
  lastSeenUs: number;
}

export interface VerdictChange extends RoutePair {
  previous: VerdictCode;
}

export interface RouteTableCounts {
  pairs: number;
  valid: number;
  invalid: number;
  notFound: number;
  /** Announcements not tracked because the table was full. */
  overflow: number;
}

export interface RouteTableLimits {
  maxPairs: number;
  /** (collector, peer, prefix) entries; bounds the withdrawal bookkeeping. */
  maxPeerRoutes: number;
}

export const DEFAULT_ROUTE_TABLE_LIMITS: RouteTableLimits = { maxPairs: 2_000_000, maxPeerRoutes: 4_000_000 };

export class RouteTable {
  private cap = 0;
  private fam = new Uint8Array(0);
  private words = new Uint32Array(0);
  private lens = new Uint8Array(0);
  private origins = new Float64Array(0);
  private verdicts = new Uint8Array(0);
  private peers = new Uint32Array(0);
  private lastSeen = new Float64Array(0);
  private prefixes: (string | null)[] = [];
  private free: number[] = [];
  private used = 0;
  /** Next slot with the same prefix (another origin), -1 at the end of the chain. */
  private nextSame = new Int32Array(0);
  /**
   * Prefix → first slot of its chain. Keyed by the events' own prefix strings, so no key string is
   * built per event (building "prefix|origin" keys cost more than the validation itself).
   */
  private readonly byPrefix = new Map<string, number>();
  private pairs = 0;
  /** collector → peer address → prefix → slot: who announces what, for withdrawals. */
  private readonly peerRoutes = new Map<string, Map<string, Map<string, number>>>();
  private peerRouteCount = 0;
  private overflow = 0;

  constructor(private readonly limits: RouteTableLimits = DEFAULT_ROUTE_TABLE_LIMITS) {}

  get size(): number {
    return this.pairs;
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const copy = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, n: number, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.fam = copy(this.fam, cap, (n) => new Uint8Array(n));
    this.words = copy(this.words, cap * 4, (n) => new Uint32Array(n));
    this.lens = copy(this.lens, cap, (n) => new Uint8Array(n));
    this.origins = copy(this.origins, cap, (n) => new Float64Array(n));
    this.verdicts = copy(this.verdicts, cap, (n) => new Uint8Array(n));
    this.peers = copy(this.peers, cap, (n) => new Uint32Array(n));
    this.lastSeen = copy(this.lastSeen, cap, (n) => new Float64Array(n));
    this.nextSame = copy(this.nextSame, cap, (n) => new Int32Array(n));
    this.cap = cap;
  }

  private release(slot: number): void {
    if (--this.peers[slot]! > 0) return;
    const prefix = this.prefixes[slot]!;
    const head = this.byPrefix.get(prefix)!;
    if (head === slot) {
      const next = this.nextSame[slot]!;
      if (next < 0) this.byPrefix.delete(prefix);
      else this.byPrefix.set(prefix, next);
    } else {
      let k = head;
      while (this.nextSame[k] !== slot) k = this.nextSame[k]!;
      this.nextSame[k] = this.nextSame[slot]!;
    }
    this.prefixes[slot] = null;
    this.pairs--;
    this.free.push(slot);
  }

  private findPair(prefix: string, origin: number): number {
    for (let k = this.byPrefix.get(prefix) ?? -1; k >= 0; k = this.nextSame[k]!) if (this.origins[k] === origin) return k;
    return -1;
  }

  private peerMap(collector: string, peerIp: string): Map<string, number> {
    let byPeer = this.peerRoutes.get(collector);
    if (!byPeer) this.peerRoutes.set(collector, (byPeer = new Map()));
    let m = byPeer.get(peerIp);
    if (!m) byPeer.set(peerIp, (m = new Map()));
    return m;
  }

  /**
   * Applies a batch of events with their verdicts (validateEvents). Returns the pairs that appeared
   * in this batch (not present before), with their verdict.
   */
  observe(events: readonly BgpEvent[], verdicts: Uint8Array): RoutePair[] {
    const appeared: RoutePair[] = [];
    let lastCollector = '';
    let lastPeer = '';
    let routes: Map<string, number> | null = null;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      // Consecutive events usually come from the same peer (one UPDATE, many prefixes).
      if (routes === null || e.collector !== lastCollector || e.peerIp !== lastPeer) {
        routes = this.peerMap(e.collector, e.peerIp);
        lastCollector = e.collector;
        lastPeer = e.peerIp;
      }
      const prev = routes.get(e.prefix);
      if (e.eventType === 'withdrawal') {
        if (prev !== undefined) {
          routes.delete(e.prefix);
          this.peerRouteCount--;
          this.release(prev);
        }
        continue;
      }
      const code = verdicts[i]!;
      if (!isVerdict(code)) continue;
      const origin = e.originAsn ?? -1;
      if (prev !== undefined && this.origins[prev] === origin) {
        if (e.timestampUs > this.lastSeen[prev]!) this.lastSeen[prev] = e.timestampUs;
        continue;
      }
      let slot = this.findPair(e.prefix, origin);
      if (slot < 0) {
        if (this.pairs >= this.limits.maxPairs || (prev === undefined && this.peerRouteCount >= this.limits.maxPeerRoutes)) {
          this.overflow++;
          continue;
        }
        const p = tryPrefixToWords(e.prefix, true);
        if (!p) continue;
        slot = this.free.pop() ?? this.used++;
        if (slot >= this.cap) this.grow();
        this.fam[slot] = p.family;
        const b = slot * 4;
        this.words[b] = p.w0;
        this.words[b + 1] = p.w1;
        this.words[b + 2] = p.w2;
        this.words[b + 3] = p.w3;
        this.lens[slot] = p.length;
        this.origins[slot] = origin;
        this.verdicts[slot] = code;
        this.peers[slot] = 0;
        this.lastSeen[slot] = e.timestampUs;
        this.prefixes[slot] = e.prefix;
        this.nextSame[slot] = this.byPrefix.get(e.prefix) ?? -1;
        this.byPrefix.set(e.prefix, slot);
        this.pairs++;
        appeared.push({ prefix: e.prefix, origin: e.originAsn, verdict: code, lastSeenUs: e.timestampUs });
      }
      this.peers[slot]!++;
      if (e.timestampUs > this.lastSeen[slot]!) this.lastSeen[slot] = e.timestampUs;
      routes.set(e.prefix, slot);
      if (prev === undefined) this.peerRouteCount++;
      else this.release(prev);
    }
    return appeared;
  }

  /**
   * Re-validates slots [from, to) against a new index (IPv4 and IPv6 in separate passes, which
   * keeps each family's index hot in cache). Returns the changed pairs. Callers split a full pass
   * into chunks to keep the event loop responsive.
   */
  revalidate(index: VrpIndex, from = 0, to = this.used): VerdictChange[] {
    const changes: VerdictChange[] = [];
    const end = Math.min(to, this.used);
    const { fam, words, lens, origins, verdicts, prefixes } = this;
    for (const family of [4, 6]) {
      for (let s = from; s < end; s++) {
        if (fam[s] !== family || prefixes[s] === null) continue;
        const b = s * 4;
        const code = family === 4 ? index.validateV4(words[b]!, lens[s]!, origins[s]!) : index.validateV6(words[b]!, words[b + 1]!, words[b + 2]!, words[b + 3]!, lens[s]!, origins[s]!);
        const before = verdicts[s]! as VerdictCode;
        if (code !== before) {
          verdicts[s] = code;
          changes.push({ prefix: prefixes[s]!, origin: origins[s]! < 0 ? null : origins[s]!, verdict: code, previous: before, lastSeenUs: this.lastSeen[s]! });
        }
      }
    }
    return changes;
  }

  /** Slots in use (upper bound for revalidate chunks). */
  get slotCount(): number {
    return this.used;
  }

  counts(): RouteTableCounts {
    const c: RouteTableCounts = { pairs: this.pairs, valid: 0, invalid: 0, notFound: 0, overflow: this.overflow };
    for (let s = 0; s < this.used; s++) {
      if (this.prefixes[s] === null) continue;
      const v = this.verdicts[s];
      if (v === VERDICT.valid) c.valid++;
      else if (v === VERDICT.notFound) c.notFound++;
      else c.invalid++;
    }
    return c;
  }
}
