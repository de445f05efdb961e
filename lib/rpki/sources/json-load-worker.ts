// Worker-thread side of json-source.ts: reads a VRP JSON export (file or URL), hashes it, parses
// and checks it, and sends the VRPs back in chunks, one at a time: the next chunk goes only when
// the main thread acknowledges the last one from a later event-loop turn (a port hands every queued
// message over in one go, so 70 chunks sent at once would be deserialised as one long block).

import { parentPort } from 'node:worker_threads';
import { readExport, type JsonLoadRequest, type JsonLoadResponse } from '@/lib/rpki/sources/json-source';
import { parseVrpJson } from '@/lib/rpki/vrp-json';
import { createHash } from 'node:crypto';

const port = parentPort;
if (!port) throw new Error('json-load-worker runs as a worker thread only');

const CHUNK = 10_000;
const acks = new Map<number, () => void>();

port.on('message', (msg: JsonLoadRequest | { type: 'ack'; id: number }) => {
  if ('type' in msg) {
    acks.get(msg.id)?.();
    return;
  }
  const req = msg;
  void (async () => {
    try {
      const text = await readExport(req.kind, req.location);
      const sha256 = createHash('sha256').update(text).digest('hex');
      if (sha256 === req.lastHash) return port.postMessage({ id: req.id, type: 'unchanged' } satisfies JsonLoadResponse);
      const doc = parseVrpJson(text, req.nowMs);
      for (let off = 0; off < doc.vrps.length; off += CHUNK) {
        const acked = new Promise<void>((r) => acks.set(req.id, r));
        port.postMessage({ id: req.id, type: 'vrps', vrps: doc.vrps.slice(off, off + CHUNK) } satisfies JsonLoadResponse);
        await acked;
      }
      acks.delete(req.id);
      port.postMessage({ id: req.id, type: 'done', sha256, aspas: doc.aspas, problems: doc.problems, expired: doc.expired, generatedAtMs: doc.generatedAtMs } satisfies JsonLoadResponse);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: req.id, type: 'error', name: e.name, message: e.message } satisfies JsonLoadResponse);
    }
  })();
});
