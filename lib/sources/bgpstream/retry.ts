// Retry with exponential backoff for the broker and the downloader. Permanent failures (a 404,
// a response that fails validation) are thrown as PermanentError and not retried.

export class PermanentError extends Error {
  override name = 'PermanentError';
}

export interface RetryOptions {
  /** Tries in all (≥ 1). */
  attempts: number;
  /** First wait; doubles each time up to maxDelayMs (libbgpstream: 1 s → 900 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; err: unknown }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 900_000 };

/** Wait before try number `attempt + 1` (attempt counts from 1). */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (err instanceof PermanentError || attempt >= opts.attempts || opts.signal?.aborted) throw err;
      const delayMs = backoffDelayMs(attempt, opts.baseDelayMs, opts.maxDelayMs);
      opts.onRetry?.({ attempt, delayMs, err });
      await sleep(delayMs, opts.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** 408, 429 and 5xx are worth another try; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
