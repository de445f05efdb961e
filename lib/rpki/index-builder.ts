// Builds VRP indexes on a worker thread, so a rebuild (0.6-2.6 s for 700,000 VRPs) never stalls
// the event loop that ingests routes. The VRPs go to the worker in small chunks (each postMessage
// serialises its objects on this thread: a few ms per chunk, with a turn of the event loop in
// between); the finished index comes back as typed arrays whose buffers are transferred, not
// copied. One long-lived worker per builder, builds one at a time in request order. If the worker
// cannot run (no worker support where this code was bundled, a crash), the build happens in
// process instead and the reason is logged once: slower for the event loop, never wrong.

import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '@/lib/log';
import { applySlurm, type SlurmConfig } from '@/lib/rpki/slurm';
import type { Vrp } from '@/lib/rpki/types';
import { siblingModule, spawnModuleWorker } from '@/lib/rpki/worker-spawn';
import { VrpIndex, type VrpIndexData } from '@/lib/rpki/vrp-index';

/** What a build returns (in process or off-thread alike). */
export interface BuiltIndex {
  index: VrpIndex;
  /** First rejected entries (see VrpIndexBuildResult), at most MAX_REJECTED_KEPT. */
  rejected: { vrp: Vrp; reason: string }[];
  rejectedCount: number;
  duplicates: number;
  /** Time spent building (on whichever thread built it). */
  buildMs: number;
  offThread: boolean;
  /** SLURM effect when a SLURM config was given: VRPs filtered out, assertions added. */
  slurm: { filtered: number; added: number } | null;
}

export type BuilderRequest = { type: 'chunk'; id: number; vrps: Vrp[] } | { type: 'build'; id: number; slurm: SlurmConfig | null };
export type BuilderResponse =
  | { type: 'built'; id: number; data: VrpIndexData; rejected: { vrp: Vrp; reason: string }[]; rejectedCount: number; duplicates: number; buildMs: number; slurm: BuiltIndex['slurm'] }
  | { type: 'failed'; id: number; message: string };

export const MAX_REJECTED_KEPT = 20;
/** VRPs per postMessage: ~2-5 ms of serialisation each on a loaded 2-core machine. */
const CHUNK = 10_000;

/** Builds in this thread (tests, small sets such as watch lists, and the fallback); the worker runs this too. */
export function buildInProcess(vrps: readonly Vrp[], slurm: SlurmConfig | null = null): BuiltIndex {
  const started = performance.now();
  const applied = slurm ? applySlurm(vrps, slurm) : null;
  const r = VrpIndex.build(applied ? applied.vrps : vrps);
  return {
    index: r.index,
    rejected: r.rejected.slice(0, MAX_REJECTED_KEPT),
    rejectedCount: r.rejected.length,
    duplicates: r.duplicates,
    buildMs: performance.now() - started,
    offThread: false,
    slurm: applied ? { filtered: applied.filtered, added: applied.added } : null,
  };
}

/** Every typed array's buffer in the index data (the transfer list). */
export function indexBuffers(data: VrpIndexData): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of [data.v4, data.v6]) for (const a of [t.starts, t.meta, t.vrpData, t.bucket]) out.push(a.buffer as ArrayBuffer);
  return out;
}

/** The worker module next to this one (.ts through tsx, or the built .js). */
function spawnWorker(): Worker {
  return spawnModuleWorker(siblingModule(fileURLToPath(import.meta.url), 'index-build-worker'));
}

export class VrpIndexBuilder {
  private worker: Worker | null = null;
  private broken: string | null = null;
  private closed = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (b: BuiltIndex) => void; reject: (e: Error) => void }>();
  /** Builds run one after another: their chunks must not interleave with another build's. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: { logger: Logger; offThread?: boolean }) {}

  /** Whether builds currently run on the worker thread. */
  get offThread(): boolean {
    return (this.opts.offThread ?? true) && this.broken === null;
  }

  /**
   * `slurm`: local exceptions (RFC 8416) applied before indexing. `onSent`: called once every VRP
   * is on the worker's side (tests observe the build phase).
   */
  build(vrps: readonly Vrp[], hooks: { slurm?: SlurmConfig | null; onSent?: () => void } = {}): Promise<BuiltIndex> {
    const run = this.chain.then(() => this.buildOne(vrps, hooks));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = spawnWorker();
    w.unref();
    w.on('message', (msg: BuilderResponse) => {
      const pending = this.waiting.get(msg.id);
      if (!pending) return;
      this.waiting.delete(msg.id);
      if (msg.type === 'failed') pending.reject(new Error(msg.message));
      else pending.resolve({ index: VrpIndex.fromData(msg.data), rejected: msg.rejected, rejectedCount: msg.rejectedCount, duplicates: msg.duplicates, buildMs: msg.buildMs, offThread: true, slurm: msg.slurm });
    });
    const die = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const p of this.waiting.values()) p.reject(err);
      this.waiting.clear();
    };
    w.on('error', die);
    w.on('exit', (code) => die(new Error(`index build worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private async buildOne(vrps: readonly Vrp[], hooks: { slurm?: SlurmConfig | null; onSent?: () => void }): Promise<BuiltIndex> {
    if (this.closed) throw new Error('index builder closed');
    if (!this.offThread) return buildInProcess(vrps, hooks.slurm ?? null);
    try {
      return await this.buildOffThread(vrps, hooks);
    } catch (err) {
      if (this.closed) throw err;
      // One failure (no tsx, a crashed worker) is enough: later builds stay in process.
      this.broken = err instanceof Error ? err.message : String(err);
      this.opts.logger.warn({ err: this.broken }, 'RPKI: index build worker unavailable, building in process (the event loop stalls during rebuilds)');
      await this.terminate();
      return buildInProcess(vrps, hooks.slurm ?? null);
    }
  }

  private async buildOffThread(vrps: readonly Vrp[], hooks: { slurm?: SlurmConfig | null; onSent?: () => void }): Promise<BuiltIndex> {
    const w = this.ensureWorker();
    const id = this.nextId++;
    const result = new Promise<BuiltIndex>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // The worker holds the process open only while it works.
    w.ref();
    try {
      for (let off = 0; off < vrps.length; off += CHUNK) {
        if (this.worker !== w) break;
        w.postMessage({ type: 'chunk', id, vrps: vrps.slice(off, off + CHUNK) } satisfies BuilderRequest);
        await new Promise<void>((r) => setImmediate(r));
      }
      if (this.worker === w) {
        w.postMessage({ type: 'build', id, slurm: hooks.slurm ?? null } satisfies BuilderRequest);
        hooks.onSent?.();
      }
      return await result;
    } finally {
      w.unref();
    }
  }

  /** Terminates the worker; builds in flight and later ones reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.waiting.values()) p.reject(new Error('index builder closed'));
    this.waiting.clear();
    if (w) await w.terminate();
  }
}
