// A VRP JSON export read from a file or a URL. Each load parses the whole document; an unchanged
// document (same SHA-256) is reported as such so nothing downstream rebuilds.
//
// Reading, hashing and parsing run on a worker thread (json-load-worker.ts): a 700,000-VRP export
// takes 1-3 s to parse, which would stall ingest on the main thread. The VRPs come back in chunks.
// Where the worker cannot run, the load happens in process (logged once).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '@/lib/log';
import type { Aspa, Vrp } from '@/lib/rpki/types';
import { parseVrpJson, VrpDocumentError, type ParsedVrpDocument, type VrpProblem } from '@/lib/rpki/vrp-json';
import { siblingModule, spawnModuleWorker } from '@/lib/rpki/worker-spawn';

export type JsonLoad = { changed: false } | { changed: true; doc: ParsedVrpDocument; sha256: string };

export interface JsonVrpSource {
  id: string;
  kind: 'file' | 'url';
  location: string;
  /** Throws (VrpDocumentError, I/O or HTTP errors) when no usable document could be read. */
  load(nowMs: number): Promise<JsonLoad>;
  /** Ends the worker thread, if any. */
  close(): Promise<void>;
  /** Loads run on the worker thread (false after falling back to in-process parsing). */
  readonly offThread: boolean;
}

export type JsonLoadRequest = { id: number; kind: 'file' | 'url'; location: string; lastHash: string | null; nowMs: number };
export type JsonLoadResponse =
  | { id: number; type: 'unchanged' }
  | { id: number; type: 'vrps'; vrps: Vrp[] }
  | { id: number; type: 'done'; sha256: string; aspas: Aspa[]; problems: VrpProblem[]; expired: number; generatedAtMs: number | null }
  | { id: number; type: 'error'; name: string; message: string };

const FETCH_TIMEOUT_MS = 60_000;

/** The export's text (used by the worker, and in process as the fallback). */
export async function readExport(kind: 'file' | 'url', location: string): Promise<string> {
  if (kind === 'file') return readFile(location, 'utf8');
  const res = await fetch(location, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${location}`);
  return res.text();
}

function loadInProcess(kind: 'file' | 'url', location: string, lastHash: string | null, nowMs: number): Promise<JsonLoad> {
  return readExport(kind, location).then((text) => {
    const sha256 = createHash('sha256').update(text).digest('hex');
    if (sha256 === lastHash) return { changed: false };
    return { changed: true, doc: parseVrpJson(text, nowMs), sha256 };
  });
}

export function createJsonVrpSource(kind: 'file' | 'url', location: string, opts: { logger?: Logger; offThread?: boolean } = {}): JsonVrpSource {
  let lastHash: string | null = null;
  let worker: Worker | null = null;
  let broken = opts.offThread === false;
  let nextId = 1;
  const pending = new Map<number, { vrps: Vrp[]; resolve: (r: JsonLoad) => void; reject: (e: Error) => void }>();

  const fail = (w: Worker, err: Error) => {
    if (worker !== w) return;
    worker = null;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const w = spawnModuleWorker(siblingModule(fileURLToPath(import.meta.url), 'json-load-worker'));
    w.unref();
    w.on('message', (m: JsonLoadResponse) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.type === 'vrps') {
        for (const v of m.vrps) p.vrps.push(v);
        // Ask for the next chunk from a later turn, so other work runs between chunks.
        setImmediate(() => w.postMessage({ type: 'ack', id: m.id }));
        return;
      }
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      if (m.type === 'unchanged') p.resolve({ changed: false });
      else if (m.type === 'done') p.resolve({ changed: true, sha256: m.sha256, doc: { vrps: p.vrps, aspas: m.aspas, problems: m.problems, expired: m.expired, generatedAtMs: m.generatedAtMs } });
      else p.reject(m.name === 'VrpDocumentError' ? new VrpDocumentError(m.message) : new Error(m.message));
    });
    w.on('error', (err) => fail(w, err));
    w.on('exit', (code) => fail(w, new Error(`JSON load worker exited with code ${code}`)));
    worker = w;
    return w;
  };
  const loadOffThread = (nowMs: number): Promise<JsonLoad> =>
    new Promise<JsonLoad>((resolve, reject) => {
      const w = ensureWorker();
      const id = nextId++;
      pending.set(id, { vrps: [], resolve, reject });
      w.ref();
      w.postMessage({ id, kind, location, lastHash, nowMs } satisfies JsonLoadRequest);
    });

  return {
    id: `${kind}:${location}`,
    kind,
    location,
    get offThread() {
      return !broken;
    },
    async load(nowMs) {
      let r: JsonLoad;
      if (broken) r = await loadInProcess(kind, location, lastHash, nowMs);
      else {
        try {
          r = await loadOffThread(nowMs);
        } catch (err) {
          // A document error or a failed read is the source's problem: report it as before.
          if (err instanceof VrpDocumentError || worker !== null) throw err;
          broken = true;
          opts.logger?.warn({ err: (err as Error).message, source: `${kind}:${location}` }, 'RPKI: JSON load worker unavailable, parsing in process');
          r = await loadInProcess(kind, location, lastHash, nowMs);
        }
      }
      if (r.changed) lastHash = r.sha256;
      return r;
    },
    async close() {
      const w = worker;
      worker = null;
      for (const p of pending.values()) p.reject(new Error('JSON source closed'));
      pending.clear();
      if (w) await w.terminate();
    },
  };
}
