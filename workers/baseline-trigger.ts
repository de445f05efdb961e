// Enqueues the baseline scan as soon as committed events close an event-time hour, instead of
// waiting for the scan's 5-minute wall-clock schedule (which stays as the safety net). One scan
// job per closed hour (job id), so several processes seeing the same hour enqueue it once.

import type { BgpEvent } from '@/lib/bgp/types';
import { ClosedHourTracker } from '@/lib/baseline/closed-hour-tracker';
import type { Logger } from '@/lib/log';
import { baselineScanJob, dispatch } from '@/lib/queue/jobs';
import { BASELINE_GRACE_SECONDS } from '@/workers/baseline';

export function baselineScanTrigger(logger: Logger, graceSeconds = BASELINE_GRACE_SECONDS): (events: readonly BgpEvent[]) => void {
  const tracker = new ClosedHourTracker(graceSeconds * 1_000_000);
  const log = logger.child({ module: 'baseline-trigger' });
  return (events) => {
    const hour = tracker.observe(events);
    if (hour === null) return;
    dispatch(baselineScanJob, { graceSeconds }, { jobId: `baseline-scan-closed-${hour}` }).then(
      () => log.debug({ hour }, 'event time closed an hour: baseline scan enqueued'),
      // The periodic scan picks the hour up anyway.
      (err: unknown) => log.warn({ err, hour }, 'could not enqueue the baseline scan for a closed hour'),
    );
  };
}
