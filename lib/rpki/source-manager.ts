// Combines every configured RPKI source (RTR caches, VRP JSON files and URLs) into one VRP index:
// the union of the sets, rebuilt (debounced, on a worker thread: index-builder.ts) whenever one
// changes. Each source's last good set is
// persisted through the injected store and restored at start, so validation keeps working when
// sources are down; a failing source keeps its previous set and is reported stale.
//
// start() begins the I/O (nothing happens in the constructor); stop() ends it.

import type { Logger } from '@/lib/log';
import { RtrClient } from '@/lib/rpki/rtr/client';
import type { RtrVersion } from '@/lib/rpki/rtr/pdu';
import { vrpKey } from '@/lib/rpki/rtr/session';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseSlurm, type SlurmConfig } from '@/lib/rpki/slurm';
import { createJsonVrpSource, type JsonVrpSource } from '@/lib/rpki/sources/json-source';
import type { Aspa, RpkiSetWrite, RpkiSourceKind, RpkiSourceStatus, SlurmStatus, Vrp, VrpSet } from '@/lib/rpki/types';
import { VrpIndexBuilder } from '@/lib/rpki/index-builder';
import { VrpIndex } from '@/lib/rpki/vrp-index';

/** Persistence of last good sets (lib/db/rpki.ts in production; anything in tests). */
export interface RpkiStore {
  load(sourceId: string): Promise<{ vrps: Vrp[]; aspas: Aspa[]; serial: number | null; sessionId: number | null; loadedAtMs: number; generatedAtMs: number | null } | null>;
  save(write: RpkiSetWrite): Promise<void>;
  recordError(sourceId: string, kind: RpkiSourceKind, message: string, atMs: number): Promise<void>;
}

export interface RpkiSourceConfig {
  rtr: { host: string; port: number }[];
  urls: string[];
  files: string[];
  /** Seconds between JSON re-reads. */
  jsonRefreshS: number;
  /** Highest RTR version to offer (default 1). */
  rtrVersion?: RtrVersion;
  /** SLURM file (RFC 8416) of local exceptions, re-read every jsonRefreshS. */
  slurmFile?: string;
}

export interface IndexUpdate {
  index: VrpIndex;
  aspas: Aspa[];
  /** Increments with every rebuild. */
  version: number;
  builtAtMs: number;
  buildMs: number;
  /** null when no SLURM file is configured. */
  slurm: SlurmStatus | null;
}

interface SourceState {
  status: RpkiSourceStatus;
  set: VrpSet;
  generatedAtMs: number | null;
  /** Keys of the VRPs as last persisted (for delta writes); null before the first save. */
  persisted: Set<string> | null;
  saving: Promise<void> | null;
  saveAgain: boolean;
}

export interface SourceManagerOptions {
  config: RpkiSourceConfig;
  logger: Logger;
  store?: RpkiStore;
  onIndex?: (update: IndexUpdate) => void;
  now?: () => number;
  /** Coalesces bursts of source updates into one rebuild. */
  rebuildDelayMs?: number;
  rtrBackoffMs?: { min: number; max: number };
  /** Builds the union's index; default: a worker-thread builder owned (and closed) by the manager. */
  builder?: VrpIndexBuilder;
}

/** "host:port" / "[v6]:port" list → endpoints; bad entries are returned separately. */
export function parseRtrList(list: string | undefined): { endpoints: { host: string; port: number }[]; rejected: string[] } {
  const endpoints: { host: string; port: number }[] = [];
  const rejected: string[] = [];
  for (const raw of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(raw);
    const port = m ? Number(m[3]) : 0;
    if (!m || port < 1 || port > 65535) rejected.push(raw);
    else endpoints.push({ host: m[1] ?? m[2]!, port });
  }
  return { endpoints, rejected };
}

/** Work items between event-loop turns in long loops over a whole set. */
const YIELD_EVERY = 20_000;
const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

export const splitList = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export class RpkiSourceManager {
  private readonly states = new Map<string, SourceState>();
  private readonly rtr: RtrClient[] = [];
  private readonly json: JsonVrpSource[] = [];
  private timers: NodeJS.Timeout[] = [];
  private rebuildTimer: NodeJS.Timeout | null = null;
  private current: IndexUpdate;
  private running = false;
  private readonly now: () => number;
  private readonly builder: VrpIndexBuilder;
  private rebuilding: Promise<void> | null = null;
  private rebuildAgain = false;
  private slurm: { config: SlurmConfig; sha256: string } | null = null;
  private slurmStatus: SlurmStatus | null = null;

  constructor(private readonly opts: SourceManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.builder = opts.builder ?? new VrpIndexBuilder({ logger: opts.logger });
    this.current = { index: VrpIndex.empty(), aspas: [], version: 0, builtAtMs: this.now(), buildMs: 0, slurm: null };
  }

  get latest(): IndexUpdate {
    return this.current;
  }

  statuses(): RpkiSourceStatus[] {
    for (const c of this.rtr) {
      const st = this.states.get(c.id);
      if (!st) continue;
      const s = c.status();
      st.status.stale = s.stale;
      st.status.lastError = s.lastError ?? st.status.lastError;
      st.status.lastErrorMs = s.lastErrorMs ?? st.status.lastErrorMs;
    }
    return [...this.states.values()].map((s) => ({ ...s.status }));
  }

  private log(): Logger {
    return this.opts.logger;
  }

  private addState(id: string, kind: RpkiSourceKind): SourceState {
    const st: SourceState = {
      status: { id, kind, serial: null, sessionId: null, vrpCount: 0, aspaCount: 0, lastSuccessMs: null, lastErrorMs: null, lastError: null, stale: true },
      set: { vrps: [], aspas: [] },
      generatedAtMs: null,
      persisted: null,
      saving: null,
      saveAgain: false,
    };
    this.states.set(id, st);
    return st;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { config } = this.opts;
    for (const ep of config.rtr) {
      const client = new RtrClient({
        host: ep.host,
        port: ep.port,
        version: config.rtrVersion ?? 1,
        logger: this.log(),
        minBackoffMs: this.opts.rtrBackoffMs?.min,
        maxBackoffMs: this.opts.rtrBackoffMs?.max,
        now: this.now,
        onData: (info, set) => {
          // Most End of Data PDUs are refreshes without changes: no rebuild, no write.
          if (info.reset || info.announced > 0 || info.withdrawn > 0) this.accept(client.id, set(), { serial: info.serial, sessionId: info.sessionId, generatedAtMs: null });
          else this.touch(client.id, info.serial, info.sessionId);
        },
      });
      this.rtr.push(client);
      this.addState(client.id, 'rtr');
    }
    for (const f of config.files) this.json.push(createJsonVrpSource('file', f, { logger: this.log() }));
    for (const u of config.urls) this.json.push(createJsonVrpSource('url', u, { logger: this.log() }));
    for (const j of this.json) this.addState(j.id, j.kind);
    if (config.slurmFile) {
      const file = config.slurmFile;
      this.slurmStatus = { file, inForce: false, filters: 0, assertions: 0, filtered: 0, added: 0, loadedAtMs: null, lastError: null, lastErrorMs: null };
      // Before the first index, so that it already honours the exceptions.
      await this.pollSlurm(file);
      const t = setInterval(() => void this.pollSlurm(file).then((changed) => changed && this.scheduleRebuild()), config.jsonRefreshS * 1000);
      t.unref();
      this.timers.push(t);
    }
    await this.restore();
    for (const c of this.rtr) c.start();
    for (const j of this.json) {
      void this.pollJson(j);
      const t = setInterval(() => void this.pollJson(j), config.jsonRefreshS * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = null;
    await Promise.all(this.rtr.map((c) => c.stop()));
    await Promise.all(this.json.map((j) => j.close()));
    // Closing our builder abandons a build in flight (its result would be dropped anyway).
    if (!this.opts.builder) await this.builder.close();
    await this.rebuilding;
    await Promise.all([...this.states.values()].map((s) => s.saving));
  }

  /** Loads each source's last good set from the store: in force until the source delivers. */
  private async restore(): Promise<void> {
    const store = this.opts.store;
    if (!store) return;
    for (const [id, st] of this.states) {
      try {
        const saved = await store.load(id);
        if (!saved) continue;
        st.set = { vrps: saved.vrps, aspas: saved.aspas };
        st.persisted = new Set(saved.vrps.map(vrpKey));
        st.generatedAtMs = saved.generatedAtMs;
        Object.assign(st.status, { serial: saved.serial, sessionId: saved.sessionId, vrpCount: saved.vrps.length, aspaCount: saved.aspas.length, lastSuccessMs: saved.loadedAtMs, stale: true });
        this.log().info({ source: id, vrps: saved.vrps.length, loadedAt: new Date(saved.loadedAtMs).toISOString() }, 'RPKI: restored the last good set from the database');
      } catch (err) {
        this.log().warn({ err, source: id }, 'RPKI: could not restore the stored set');
      }
    }
    await this.rebuild();
  }

  /** Current SLURM status (null: none configured). */
  slurmState(): SlurmStatus | null {
    return this.slurmStatus && { ...this.slurmStatus };
  }

  /**
   * Re-reads the SLURM file; true when a new valid document is now in force. A bad or missing
   * file is reported and the previous document stays in force (none at first start).
   */
  private async pollSlurm(file: string): Promise<boolean> {
    const status = this.slurmStatus!;
    try {
      const text = await readFile(file, 'utf8');
      const sha256 = createHash('sha256').update(text).digest('hex');
      if (this.slurm?.sha256 === sha256) {
        status.lastError = null;
        return false;
      }
      const config = parseSlurm(text);
      this.slurm = { config, sha256 };
      Object.assign(status, { inForce: true, filters: config.filters.length, assertions: config.assertions.length, loadedAtMs: this.now(), lastError: null });
      this.log().info({ file, filters: config.filters.length, assertions: config.assertions.length }, 'RPKI: SLURM file loaded');
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (status.lastError !== message) this.log().warn({ file, err: message, previousInForce: this.slurm !== null }, 'RPKI: SLURM file rejected, the previous one stays in force');
      Object.assign(status, { lastError: message, lastErrorMs: this.now() });
      return false;
    }
  }

  private async pollJson(src: JsonVrpSource): Promise<void> {
    const st = this.states.get(src.id)!;
    try {
      const r = await src.load(this.now());
      if (!this.running) return;
      st.status.stale = false;
      if (!r.changed) {
        st.status.lastSuccessMs = this.now();
        return;
      }
      if (r.doc.problems.length > 0) this.log().warn({ source: src.id, problems: r.doc.problems.slice(0, 10), count: r.doc.problems.length }, 'RPKI: skipped bad VRP entries');
      this.accept(src.id, r.doc, { serial: (st.status.serial ?? 0) + 1, sessionId: null, generatedAtMs: r.doc.generatedAtMs });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      st.status.stale = true;
      st.status.lastError = message;
      st.status.lastErrorMs = this.now();
      this.log().warn({ source: src.id, err: message, vrpsKept: st.set.vrps.length }, 'RPKI: source failed, keeping its previous set');
      await this.opts.store?.recordError(src.id, src.kind, message, this.now()).catch(() => undefined);
    }
  }

  private accept(id: string, set: VrpSet, meta: { serial: number | null; sessionId: number | null; generatedAtMs: number | null }): void {
    const st = this.states.get(id);
    if (!st || !this.running) return;
    st.set = { vrps: set.vrps, aspas: set.aspas };
    st.generatedAtMs = meta.generatedAtMs;
    Object.assign(st.status, { serial: meta.serial, sessionId: meta.sessionId, vrpCount: set.vrps.length, aspaCount: set.aspas.length, lastSuccessMs: this.now(), stale: false });
    this.scheduleRebuild();
    this.persist(st);
  }

  /** The source answered but nothing changed: fresh again, same set. */
  private touch(id: string, serial: number | null, sessionId: number | null): void {
    const st = this.states.get(id);
    if (!st || !this.running) return;
    Object.assign(st.status, { serial, sessionId, lastSuccessMs: this.now(), stale: false });
  }

  private scheduleRebuild(): void {
    if (this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      void this.rebuild();
    }, this.opts.rebuildDelayMs ?? 500);
    this.rebuildTimer.unref();
  }

  /** Rebuilds the union's index; a change arriving meanwhile gets one more rebuild after it. */
  private rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.rebuildAgain = true;
      return this.rebuilding;
    }
    const run = async () => {
      do {
        this.rebuildAgain = false;
        try {
          await this.rebuildOnce();
        } catch (err) {
          if (this.running) this.log().error({ err }, 'RPKI: VRP index rebuild failed, the previous index stays in force');
        }
      } while (this.rebuildAgain && this.running);
    };
    this.rebuilding = run().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async rebuildOnce(): Promise<void> {
    const all: Vrp[] = [];
    const aspaByCustomer = new Map<number, Set<number>>();
    for (const st of this.states.values()) {
      for (const v of st.set.vrps) all.push(v);
      for (const a of st.set.aspas) {
        let s = aspaByCustomer.get(a.customerAsn);
        if (!s) aspaByCustomer.set(a.customerAsn, (s = new Set()));
        for (const p of a.providers) s.add(p);
      }
    }
    const built = await this.builder.build(all, { slurm: this.slurm?.config ?? null });
    if (!this.running) return;
    if (this.slurmStatus) Object.assign(this.slurmStatus, { filtered: built.slurm?.filtered ?? 0, added: built.slurm?.added ?? 0 });
    if (built.rejectedCount > 0) this.log().warn({ rejected: built.rejectedCount, first: built.rejected[0] }, 'RPKI: VRPs rejected while indexing');
    const aspas = [...aspaByCustomer].map(([customerAsn, s]) => ({ customerAsn, providers: [...s].sort((a, b) => a - b) }));
    this.current = { index: built.index, aspas, version: this.current.version + 1, builtAtMs: this.now(), buildMs: built.buildMs, slurm: this.slurmState() };
    this.log().info({ vrps: built.index.size, aspas: aspas.length, version: this.current.version, buildMs: Math.round(built.buildMs), offThread: built.offThread }, 'RPKI: VRP index rebuilt');
    this.opts.onIndex?.(this.current);
  }

  /** Writes the source's set (a delta against what was stored last); coalesces overlapping saves. */
  private persist(st: SourceState): void {
    const store = this.opts.store;
    if (!store) return;
    if (st.saving) {
      st.saveAgain = true;
      return;
    }
    const run = async () => {
      do {
        st.saveAgain = false;
        // Key strings for 700k VRPs take a few hundred ms: built a slice per event-loop turn.
        const keys = new Map<string, Vrp>();
        const set = st.set.vrps;
        for (let i = 0; i < set.length; i++) {
          keys.set(vrpKey(set[i]!), set[i]!);
          if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldTurn();
        }
        let vrps: { full: readonly Vrp[] } | { added: Vrp[]; removed: Vrp[] };
        if (st.persisted === null) vrps = { full: set };
        else {
          const added: Vrp[] = [];
          for (const [k, v] of keys) if (!st.persisted.has(k)) added.push(v);
          await yieldTurn();
          const removed: Vrp[] = [];
          for (const k of st.persisted) {
            if (keys.has(k)) continue;
            const [prefix, maxLength, asn] = k.split('|') as [string, string, string];
            removed.push({ prefix, maxLength: Number(maxLength), asn: Number(asn) });
          }
          vrps = { added, removed };
        }
        try {
          await store.save({
            sourceId: st.status.id, kind: st.status.kind, serial: st.status.serial, sessionId: st.status.sessionId,
            generatedAtMs: st.generatedAtMs, loadedAtMs: st.status.lastSuccessMs ?? this.now(), vrpCount: keys.size, vrps, aspas: st.set.aspas,
          });
          st.persisted = new Set(keys.keys());
        } catch (err) {
          this.log().warn({ err, source: st.status.id }, 'RPKI: could not persist the set (kept in memory)');
          st.persisted = null;
          return;
        }
      } while (st.saveAgain && this.running);
    };
    st.saving = run().finally(() => {
      st.saving = null;
    });
  }
}
