// Worker-thread side of index-builder.ts: collects a build's VRP chunks, applies SLURM, builds the
// index, and sends the typed arrays back by transfer (no copy). Never imported by the main thread.

import { parentPort } from 'node:worker_threads';
import { buildInProcess, indexBuffers, type BuilderRequest, type BuilderResponse } from '@/lib/rpki/index-builder';
import type { Vrp } from '@/lib/rpki/types';

const port = parentPort;
if (!port) throw new Error('index-build-worker runs as a worker thread only');

const pending = new Map<number, Vrp[][]>();

port.on('message', (msg: BuilderRequest) => {
  if (msg.type === 'chunk') {
    const parts = pending.get(msg.id);
    if (parts) parts.push(msg.vrps);
    else pending.set(msg.id, [msg.vrps]);
    return;
  }
  const parts = pending.get(msg.id) ?? [];
  pending.delete(msg.id);
  try {
    const r = buildInProcess(parts.flat(), msg.slurm);
    const data = r.index.data();
    const reply: BuilderResponse = { type: 'built', id: msg.id, data, rejected: r.rejected, rejectedCount: r.rejectedCount, duplicates: r.duplicates, buildMs: r.buildMs, slurm: r.slurm };
    port.postMessage(reply, indexBuffers(data));
  } catch (err) {
    port.postMessage({ type: 'failed', id: msg.id, message: err instanceof Error ? err.message : String(err) } satisfies BuilderResponse);
  }
});
