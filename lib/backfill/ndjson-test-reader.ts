// A stand-in for the MRT reader in tests: one "record" per NDJSON line, each announcing a few
// prefixes from one peer. It honours the reader contract (good records first, then an error
// naming the byte offset and record index of the first line it cannot parse), so the backfill
// pipeline, worker and CLI can be tested on files that are quick to write and to corrupt.

import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { computeDedupKey } from '@/lib/bgp/dedup-key';
import type { BgpEvent } from '@/lib/bgp/types';
import type { FileEventReader, RecordEvents } from '@/lib/backfill/file-pipeline';

interface TestRecord {
  t: number;
  peer: number;
  prefixes: string[];
}

class TestParseError extends Error {
  constructor(
    message: string,
    readonly byteOffset: number,
    readonly recordIndex: number,
  ) {
    super(`${message} (record #${recordIndex} at byte offset ${byteOffset})`);
  }
}

function toEvents(r: TestRecord, collector: string): BgpEvent[] {
  return r.prefixes.map((prefix) => {
    const e: Omit<BgpEvent, 'dedupKey'> = {
      source: 'bgpstream_bgp',
      collector,
      peerAsn: 64_500 + r.peer,
      peerIp: `192.0.2.${r.peer}`,
      eventType: 'announcement',
      prefix,
      prefixLength: Number(prefix.split('/')[1]),
      originAsn: 65_000 + r.peer,
      asPath: [64_500 + r.peer, 65_000 + r.peer],
      asPathSetMask: null,
      asPathLength: 2,
      communities: [],
      nextHop: `192.0.2.${r.peer}`,
      med: null,
      localPref: null,
      originAttribute: 'igp',
      aggregator: null,
      timestampUs: r.t * 1_000_000,
      rawMessage: null,
    };
    return { ...e, dedupKey: computeDedupKey(e) };
  });
}

export interface TestReaderOptions {
  /** Sleep this long every `pauseEvery` records (lets a test kill a worker mid-file). */
  pauseMs?: number;
  pauseEvery?: number;
}

export function ndjsonTestReader(opts: TestReaderOptions = {}): FileEventReader {
  return async function* read({ path, collector }): AsyncGenerator<RecordEvents[]> {
    let offset = 0;
    let index = 0;
    let rest = '';
    for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
      rest += chunk as string;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        let rec: TestRecord;
        try {
          rec = JSON.parse(line) as TestRecord;
          if (typeof rec.t !== 'number' || !Array.isArray(rec.prefixes)) throw new Error('not a record');
        } catch {
          throw new TestParseError('corrupt record', offset, index);
        }
        yield [{ recordIndex: index, byteOffset: offset, events: toEvents(rec, collector) }];
        offset += Buffer.byteLength(line) + 1;
        index++;
        if (opts.pauseMs && opts.pauseEvery && index % opts.pauseEvery === 0) await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
    }
    if (rest.length > 0) throw new TestParseError('truncated record', offset, index);
  };
}

/** Writes `records` test records (each `perRecord` prefixes) starting at unix second `t0`. */
export async function writeTestFile(path: string, o: { records: number; perRecord: number; t0: number; seed?: number; corruptAt?: number }): Promise<number> {
  const lines: string[] = [];
  for (let i = 0; i < o.records; i++) {
    if (o.corruptAt === i) {
      lines.push('{"t": 12, "prefixes": [broken');
      continue;
    }
    const prefixes = Array.from({ length: o.perRecord }, (_, j) => {
      const n = (o.seed ?? 0) * 1_000_003 + i * o.perRecord + j;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`;
    });
    lines.push(JSON.stringify({ t: o.t0 + Math.floor(i / 10), peer: 1 + (i % 7), prefixes }));
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return lines.length;
}
