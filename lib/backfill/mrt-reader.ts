// The backfill's file reader over the project's MRT parser: open (local or URL, gzip/bzip2/plain),
// decode in batches, turn each record's items into events with the shared event builder.

import type { FileEventReader, RecordEvents } from '@/lib/backfill/file-pipeline';
import { readMrtBatches } from '@/lib/bgp/mrt/reader';
import { mrtItemToEvents } from '@/lib/bgp/route-events';
import { openMrtSource } from '@/lib/sources/mrt/open';

export function mrtFileReader(opts: { storeRaw: boolean }): FileEventReader {
  return async function* read({ path, collector, onSkip }): AsyncGenerator<RecordEvents[]> {
    const input = await openMrtSource(path);
    const ctx = { collector, source: 'bgpstream_bgp' as const, storeRaw: opts.storeRaw };
    const batches = readMrtBatches(input, { keepRaw: opts.storeRaw, onSkip: (info, reason) => onSkip(info.index, reason) });
    for await (const items of batches) {
      const out: RecordEvents[] = [];
      let cur: RecordEvents | null = null;
      for (const item of items) {
        const events = mrtItemToEvents(item, ctx);
        // A RIB record yields one item per entry: they make one record's events. The first
        // item's (fresh) array is the record's, so a one-item record copies nothing.
        if (!cur || cur.recordIndex !== item.record.index) {
          cur = { recordIndex: item.record.index, byteOffset: item.record.byteOffset, events };
          out.push(cur);
        } else for (const e of events) cur.events.push(e);
      }
      yield out;
    }
  };
}
