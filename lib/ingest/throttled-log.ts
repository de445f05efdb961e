// Logging for things that can happen thousands of times a second (malformed frames): the first
// occurrence is logged, then at most one line per interval carrying how many were suppressed.

import type { Logger } from '@/lib/log';

export interface ThrottledLog {
  (fields: Record<string, unknown>, message: string): void;
  readonly suppressed: number;
}

export function throttledWarn(logger: Logger, intervalMs: number, now: () => number = Date.now): ThrottledLog {
  let lastAt = -Infinity;
  let suppressed = 0;
  const log = ((fields: Record<string, unknown>, message: string) => {
    const t = now();
    if (t - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    lastAt = t;
    logger.warn({ ...fields, suppressedSinceLast: suppressed }, message);
    suppressed = 0;
  }) as ThrottledLog;
  Object.defineProperty(log, 'suppressed', { get: () => suppressed });
  return log;
}
