// What each peer currently announces for each prefix, compact enough for the full table
// (~1,000,000 prefixes x ~1,500 peers) in well under 4 GB. Pure: no I/O, no clock.
//
// Layout: prefixes and peers are interned to dense integer ids. A prefix owns a short linked
// list of "origin blocks"; a block is one origin ASN plus a bitset of the peers announcing the
// prefix with that origin, and a popcount. A prefix seen with one origin costs one block:
// 4 * ceil(maxPeers / 32) + 12 bytes, plus 6 per prefix (206 bytes at 1,500 peers), no matter how many peers carry it.
// Multi-origin prefixes add a block per origin. Per (prefix, peer) nothing else is stored: paths
// and times live in the baselines and in the anomalies' evidence, not here.
//
// Origin 0 stands for "undetermined" (empty path, or an AS_SET of several members): AS0 is never
// a valid origin (RFC 7607), so it cannot collide with a real one.

import type { BgpEvent } from '@/lib/bgp/types';

export type RouteChangeKind = 'announce' | 'origin_changed' | 'refresh' | 'withdraw' | 'withdraw_unknown';

/** What one event changed. Origins are null when undetermined. */
export interface RouteChange {
  kind: RouteChangeKind;
  prefixId: number;
  peerId: number;
  origin: number | null;
  /** The origin the peer announced before (origin_changed, withdraw, refresh). */
  previousOrigin: number | null;
}

export interface RouteStateOptions {
  /** Peer capacity (bitset width); events of peers beyond it are counted in `overflowEvents` and ignored. */
  maxPeers?: number;
  initialPrefixes?: number;
}

const MAGIC = 0x31545344; // "DST1"

/** Origin 0 (undetermined) and "no block" (-1) read as null. */
const asOrigin = (o: number): number | null => (o <= 0 ? null : o);

const grow32 = <T extends Uint32Array | Int32Array>(a: T, n: number, fill = 0): T => {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
};

export class RouteState {
  readonly maxPeers: number;
  private readonly words: number;
  private readonly prefixIds = new Map<string, number>();
  private prefixes: string[] = [];
  private head: Int32Array;
  /** Most peers seen carrying each prefix at once (saturates at 65,535): the reference of visibility drops. */
  private peak: Uint16Array;
  /** collector → peer address → peer id (two short-key probes instead of building "collector|ip" per event). */
  private readonly peerIds = new Map<string, Map<string, number>>();
  private peerCollector = new Uint16Array(64);
  private peerAsns = new Uint32Array(64);
  private peerIps: string[] = [];
  private readonly collectorIds = new Map<string, number>();
  private collectors: string[] = [];
  private bits: Uint32Array;
  private blockOrigin: Uint32Array;
  private blockNext: Int32Array;
  private blockCount: Uint32Array;
  private nBlocks = 0;
  private freeHead = -1;
  /** Events ignored because the peer table was full. */
  overflowEvents = 0;

  constructor(opts: RouteStateOptions = {}) {
    this.maxPeers = opts.maxPeers ?? 2048;
    this.words = Math.ceil(this.maxPeers / 32);
    const n = opts.initialPrefixes ?? 1024;
    this.head = new Int32Array(n).fill(-1);
    this.peak = new Uint16Array(n);
    this.bits = new Uint32Array(n * this.words);
    this.blockOrigin = new Uint32Array(n);
    this.blockNext = new Int32Array(n);
    this.blockCount = new Uint32Array(n);
  }

  get prefixCount(): number {
    return this.prefixes.length;
  }
  get peerCount(): number {
    return this.peerIps.length;
  }
  /** Origin blocks in use or free. */
  get blocksAllocated(): number {
    return this.nBlocks;
  }

  prefixId(prefix: string): number | undefined {
    return this.prefixIds.get(prefix);
  }
  prefixText(id: number): string {
    return this.prefixes[id]!;
  }
  peer(id: number): { collector: string; peerIp: string; peerAsn: number } {
    return { collector: this.collectors[this.peerCollector[id]!]!, peerIp: this.peerIps[id]!, peerAsn: this.peerAsns[id]! };
  }

  /** Dense id of the peer's collector. */
  collectorIdOf(peerId: number): number {
    return this.peerCollector[peerId] ?? 0;
  }

  /** Applies one event; null when the peer table is full. */
  apply(e: BgpEvent): RouteChange | null {
    const peerId = this.internPeer(e.collector, e.peerIp, e.peerAsn);
    if (peerId < 0) {
      this.overflowEvents++;
      return null;
    }
    const prefixId = this.internPrefix(e.prefix);
    const w = peerId >>> 5;
    const mask = 1 << (peerId & 31);
    let prev = -1;
    let before = -1;
    for (let b = this.head[prefixId]!, p = -1; b >= 0; p = b, b = this.blockNext[b]!) {
      if (this.bits[b * this.words + w]! & mask) {
        prev = b;
        before = p;
        break;
      }
    }
    const prevOrigin = prev >= 0 ? this.blockOrigin[prev]! : -1;
    if (e.eventType === 'withdrawal') {
      if (prev < 0) return { kind: 'withdraw_unknown', prefixId, peerId, origin: null, previousOrigin: null };
      this.clearBit(prefixId, prev, before, w, mask);
      return { kind: 'withdraw', prefixId, peerId, origin: null, previousOrigin: asOrigin(prevOrigin) };
    }
    const origin = e.originAsn ?? 0;
    if (prevOrigin === origin) return { kind: 'refresh', prefixId, peerId, origin: asOrigin(origin), previousOrigin: asOrigin(origin) };
    if (prev >= 0) this.clearBit(prefixId, prev, before, w, mask);
    const target = this.blockFor(prefixId, origin);
    this.bits[target * this.words + w]! |= mask;
    this.blockCount[target]!++;
    if (prev < 0) {
      const v = this.visiblePeers(prefixId);
      if (v > this.peak[prefixId]! && v <= 0xffff) this.peak[prefixId] = v;
    }
    return {
      kind: prev >= 0 ? 'origin_changed' : 'announce',
      prefixId,
      peerId,
      origin: asOrigin(origin),
      previousOrigin: prev >= 0 ? asOrigin(prevOrigin) : null,
    };
  }

  /** Peers currently announcing the prefix (any origin). */
  visiblePeers(prefixId: number): number {
    let n = 0;
    for (let b = this.head[prefixId] ?? -1; b >= 0; b = this.blockNext[b]!) n += this.blockCount[b]!;
    return n;
  }

  /** Most peers that carried the prefix at once since the state began. */
  peakPeers(prefixId: number): number {
    return this.peak[prefixId] ?? 0;
  }

  /** Peers currently announcing the prefix with this origin (null: undetermined). */
  peersWithOrigin(prefixId: number, origin: number | null): number {
    const b = this.findBlock(prefixId, origin ?? 0);
    return b < 0 ? 0 : this.blockCount[b]!;
  }

  /** Origins of the prefix and how many peers carry each, most peers first. */
  origins(prefixId: number): { origin: number | null; peers: number }[] {
    const out: { origin: number | null; peers: number }[] = [];
    for (let b = this.head[prefixId] ?? -1; b >= 0; b = this.blockNext[b]!) {
      out.push({ origin: this.blockOrigin[b]! || null, peers: this.blockCount[b]! });
    }
    return out.sort((a, b) => b.peers - a.peers);
  }

  /** Distinct collectors among the peers announcing the prefix (with this origin when given). */
  visibleCollectors(prefixId: number, origin?: number | null): number {
    const seen = new Set<number>();
    this.forEachPeer(prefixId, origin, (p) => void seen.add(this.peerCollector[p]!));
    return seen.size;
  }

  /** Peer ids announcing the prefix (with this origin when given), at most `limit`. */
  peerIdsOf(prefixId: number, origin?: number | null, limit = Infinity): number[] {
    const out: number[] = [];
    this.forEachPeer(prefixId, origin, (p) => (out.length < limit ? void out.push(p) : false));
    return out;
  }

  /** Drops every route of a peer (session down). Returns the routes removed. O(prefixes). */
  clearPeer(collector: string, peerIp: string): number {
    const peerId = this.peerIds.get(collector)?.get(peerIp);
    if (peerId === undefined) return 0;
    const w = peerId >>> 5;
    const mask = 1 << (peerId & 31);
    let removed = 0;
    for (let pid = 0; pid < this.prefixes.length; pid++) {
      for (let b = this.head[pid]!, p = -1; b >= 0; p = b, b = this.blockNext[b]!) {
        if (this.bits[b * this.words + w]! & mask) {
          this.clearBit(pid, b, p, w, mask);
          removed++;
          break;
        }
      }
    }
    return removed;
  }

  /** Bytes held by the typed arrays (the Maps and strings of the interning tables come on top). */
  typedBytes(): number {
    return this.head.byteLength + this.peak.byteLength + this.bits.byteLength + this.blockOrigin.byteLength + this.blockNext.byteLength + this.blockCount.byteLength;
  }

  /** Everything needed to resume without re-learning the table. */
  checkpoint(): Buffer {
    const meta = Buffer.from(
      JSON.stringify({
        maxPeers: this.maxPeers,
        prefixes: this.prefixes,
        peers: this.peerIps.map((ip, i) => [this.peerCollector[i], ip, this.peerAsns[i]]),
        collectors: this.collectors,
        nBlocks: this.nBlocks,
        freeHead: this.freeHead,
      }),
    );
    const n = this.nBlocks;
    const parts = [
      this.head.subarray(0, this.prefixes.length),
      this.peak.subarray(0, this.prefixes.length),
      this.bits.subarray(0, n * this.words),
      this.blockOrigin.subarray(0, n),
      this.blockNext.subarray(0, n),
      this.blockCount.subarray(0, n),
    ].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    const header = Buffer.alloc(8);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(meta.length, 4);
    return Buffer.concat([header, meta, ...parts]);
  }

  /** The state a checkpoint was taken of; throws on a buffer that is not one. */
  static restore(buf: Buffer): RouteState {
    if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw new Error('not a route state checkpoint');
    const metaLen = buf.readUInt32LE(4);
    const meta = JSON.parse(buf.subarray(8, 8 + metaLen).toString('utf8')) as {
      maxPeers: number;
      prefixes: string[];
      peers: [number, string, number][];
      collectors: string[];
      nBlocks: number;
      freeHead: number;
    };
    const s = new RouteState({ maxPeers: meta.maxPeers, initialPrefixes: Math.max(1024, meta.prefixes.length, meta.nBlocks) });
    let at = 8 + metaLen;
    // Each array is copied into its own ArrayBuffer: a Buffer's bytes may sit at any offset of a pool.
    const take = (n: number): { buffer: ArrayBuffer } => {
      if (at + n > buf.length) throw new Error('route state checkpoint is truncated');
      const out = new ArrayBuffer(n);
      new Uint8Array(out).set(buf.subarray(at, at + n));
      at += n;
      return { buffer: out };
    };
    const np = meta.prefixes.length;
    const nb = meta.nBlocks;
    s.head.set(new Int32Array(take(np * 4).buffer, 0, np));
    s.peak.set(new Uint16Array(take(np * 2).buffer, 0, np));
    s.bits.set(new Uint32Array(take(nb * s.words * 4).buffer, 0, nb * s.words));
    s.blockOrigin.set(new Uint32Array(take(nb * 4).buffer, 0, nb));
    s.blockNext.set(new Int32Array(take(nb * 4).buffer, 0, nb));
    s.blockCount.set(new Uint32Array(take(nb * 4).buffer, 0, nb));
    meta.collectors.forEach((c) => s.internCollector(c));
    for (const [c, ip, asn] of meta.peers) s.internPeer(meta.collectors[c]!, ip, asn);
    meta.prefixes.forEach((p, i) => (s.prefixIds.set(p, i), s.prefixes.push(p)));
    s.nBlocks = nb;
    s.freeHead = meta.freeHead;
    return s;
  }

  private forEachPeer(prefixId: number, origin: number | null | undefined, fn: (peerId: number) => boolean | void): void {
    for (let b = this.head[prefixId] ?? -1; b >= 0; b = this.blockNext[b]!) {
      if (origin !== undefined && this.blockOrigin[b] !== (origin ?? 0)) continue;
      for (let w = 0; w < this.words; w++) {
        let v = this.bits[b * this.words + w]!;
        while (v !== 0) {
          const low = v & -v;
          if (fn(w * 32 + 31 - Math.clz32(low)) === false) return;
          v ^= low;
        }
      }
    }
  }

  private findBlock(prefixId: number, origin: number): number {
    for (let b = this.head[prefixId] ?? -1; b >= 0; b = this.blockNext[b]!) if (this.blockOrigin[b] === origin) return b;
    return -1;
  }

  private blockFor(prefixId: number, origin: number): number {
    const found = this.findBlock(prefixId, origin);
    if (found >= 0) return found;
    let b = this.freeHead;
    if (b >= 0) this.freeHead = this.blockNext[b]!;
    else {
      b = this.nBlocks++;
      if (b >= this.blockOrigin.length) this.growBlocks();
    }
    this.blockOrigin[b] = origin;
    this.blockCount[b] = 0;
    this.blockNext[b] = this.head[prefixId]!;
    this.head[prefixId] = b;
    return b;
  }

  /** Clears the peer's bit; an emptied block goes back to the free list (its bits are all zero). */
  private clearBit(prefixId: number, b: number, before: number, w: number, mask: number): void {
    this.bits[b * this.words + w]! &= ~mask;
    if (--this.blockCount[b]! > 0) return;
    if (before < 0) this.head[prefixId] = this.blockNext[b]!;
    else this.blockNext[before] = this.blockNext[b]!;
    this.blockNext[b] = this.freeHead;
    this.freeHead = b;
  }

  private growBlocks(): void {
    // The bitsets are most of the state (256 B a block at 2,048 peers): past a million blocks
    // (a full table, or the first new block after a restore sized exactly) grow by a quarter, not
    // double, or half a gigabyte of empty bitsets is allocated for a few new origins.
    const len = this.blockOrigin.length;
    const n = len >= 1 << 18 ? len + Math.ceil(len / 4) : len * 2;
    this.bits = grow32(this.bits, n * this.words);
    this.blockOrigin = grow32(this.blockOrigin, n);
    this.blockNext = grow32(this.blockNext, n);
    this.blockCount = grow32(this.blockCount, n);
  }

  private internPrefix(prefix: string): number {
    let id = this.prefixIds.get(prefix);
    if (id === undefined) {
      id = this.prefixes.length;
      this.prefixIds.set(prefix, id);
      this.prefixes.push(prefix);
      if (id >= this.head.length) {
        const p = new Uint16Array(this.head.length * 2);
        p.set(this.peak);
        this.peak = p;
        this.head = grow32(this.head, this.head.length * 2, -1);
      }
    }
    return id;
  }

  private internCollector(c: string): number {
    let id = this.collectorIds.get(c);
    if (id === undefined) {
      id = this.collectors.length;
      this.collectorIds.set(c, id);
      this.collectors.push(c);
    }
    return id;
  }

  private internPeer(collector: string, peerIp: string, peerAsn: number): number {
    let byIp = this.peerIds.get(collector);
    let id = byIp?.get(peerIp);
    if (id !== undefined) return id;
    if (this.peerIps.length >= this.maxPeers) return -1;
    id = this.peerIps.length;
    if (id >= this.peerAsns.length) {
      const c = new Uint16Array(id * 2);
      c.set(this.peerCollector);
      this.peerCollector = c;
      this.peerAsns = grow32(this.peerAsns, id * 2);
    }
    if (!byIp) this.peerIds.set(collector, (byIp = new Map()));
    byIp.set(peerIp, id);
    this.peerIps.push(peerIp);
    this.peerCollector[id] = this.internCollector(collector);
    this.peerAsns[id] = peerAsn;
    return id;
  }
}
