// The producer side of detection in the worker process: every committed batch (collector,
// backfill) is split by partition and enqueued, one job per partition. Fire-and-forget from the
// ingest path's point of view; a failed enqueue (Redis down) is counted and logged, never silent.

import type { BgpEvent } from '@/lib/bgp/types';
import type { Logger } from '@/lib/log';
import { setDetectFeed } from '@/lib/detect/pipeline/feed';
import { enqueueDetectBatch } from '@/lib/queue/detect';

export interface DetectFeedStats {
  batches: number;
  events: number;
  jobs: number;
  failedBatches: number;
  failedEvents: number;
}

export function registerDetectFeed(partitions: number, logger: Logger): { stats(): DetectFeedStats; unregister(): void } {
  const log = logger.child({ module: 'detect-feed' });
  const s: DetectFeedStats = { batches: 0, events: 0, jobs: 0, failedBatches: 0, failedEvents: 0 };
  let lastWarnMs = 0;
  setDetectFeed((events: readonly BgpEvent[], committedAtMs: number) => {
    s.batches++;
    s.events += events.length;
    enqueueDetectBatch(events, partitions, committedAtMs).then(
      (jobs) => {
        s.jobs += jobs;
      },
      (err: unknown) => {
        s.failedBatches++;
        s.failedEvents += events.length;
        // Throttled: a Redis outage fails every batch.
        if (Date.now() - lastWarnMs > 5_000) {
          lastWarnMs = Date.now();
          log.error({ err, failedBatches: s.failedBatches, failedEvents: s.failedEvents }, 'detection: could not enqueue committed events; they are not analysed');
        }
      },
    );
  });
  return { stats: () => ({ ...s }), unregister: () => setDetectFeed(null) };
}
