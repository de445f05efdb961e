// Where ingest time goes: the same frames through each step of the collector in-process, timed
// separately (no WebSocket): JSON parse + validation, normalization (includes the dedup hash),
// the dedup hash alone, and the batched insert into PostgreSQL.

import type { BgpEvent } from '@/lib/bgp/types';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import { insertEventBatch } from '@/lib/db/events';
import { parseServerFrame, type RisMessageData } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessageDetailed } from '@/lib/sources/ris-live/normalize';

export interface StageTiming {
  ms: number;
  perMessageUs: number;
  eventsPerSecond: number;
}

const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
};

export async function stageTimings(lines: string[], opts: { storeRaw: boolean; batchSize: number }) {
  const [datas, parseMs] = time(() => {
    const out: RisMessageData[] = [];
    for (const l of lines) {
      const f = parseServerFrame(l, 4 * 1024 * 1024);
      if (f.kind === 'ris_message') out.push(f.data);
    }
    return out;
  });
  const [events, normMs] = time(() => {
    const out: BgpEvent[] = [];
    for (const d of datas) for (const e of normalizeRisMessageDetailed(d, { storeRaw: opts.storeRaw }).events) out.push(e);
    return out;
  });
  const [, hashMs] = time(() => {
    let x = 0;
    for (const e of events) x ^= computeDedupKey(e).length;
    return x;
  });
  const t = performance.now();
  let inserted = 0;
  for (let i = 0; i < events.length; i += opts.batchSize) {
    inserted += (await insertEventBatch(events.slice(i, i + opts.batchSize), { recordWindows: true })).inserted;
  }
  const insertMs = performance.now() - t;
  const n = datas.length;
  const row = (ms: number): StageTiming => ({ ms: Math.round(ms), perMessageUs: +((ms * 1000) / n).toFixed(2), eventsPerSecond: Math.round(events.length / (ms / 1000)) });
  return {
    messages: n,
    events: events.length,
    inserted,
    parse: row(parseMs),
    normalizeInclHash: row(normMs),
    hashOnly: row(hashMs),
    insert: row(insertMs),
    allStagesEventsPerSecond: Math.round(events.length / ((parseMs + normMs + insertMs) / 1000)),
  };
}
