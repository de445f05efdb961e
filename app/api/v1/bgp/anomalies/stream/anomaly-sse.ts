// SSE framing of the anomaly stream (Redis stream bgp:anomalies, lib/detect/push-types.ts) for one
// client. Pull-based: the next XREAD runs only when the client has taken what was sent, so a slow
// client is never dropped entries (it falls behind in the stream instead, bounded by MAXLEN). A
// blocking read that times out sends a heartbeat comment. Each entry goes out as `id: <entry id>`,
// `event: anomaly`, so EventSource resumes from Last-Event-ID after a reconnect without loss; a
// resume point older than the stream's oldest kept entry gets an `event: gap` first.

import type { Redis } from 'ioredis';
import { sseComment } from '@/lib/api/sse';
import { compareStreamIds, firstAnomalyStreamId, isStreamId, lastAnomalyStreamId, readAnomalyStream } from '@/lib/queue/detect-stream';

export interface AnomalySseOptions {
  /** A dedicated connection (XREAD BLOCK holds it); closed when the stream ends. */
  redis: Redis;
  /** Resume after this stream entry id; null: from now on. */
  lastEventId: string | null;
  signal: AbortSignal;
  heartbeatMs: number;
  onInvalid?: (reason: string) => void;
  onClose?: () => void;
}

/** The resume point from the Last-Event-ID header or the last_event_id query parameter; null when absent or malformed. */
export function resumeIdFrom(request: Request): string | null {
  const fromHeader = request.headers.get('last-event-id')?.trim();
  const fromQuery = new URL(request.url).searchParams.get('last_event_id')?.trim();
  const id = fromHeader || fromQuery || null;
  return id !== null && isStreamId(id) ? id : null;
}

export async function createAnomalyEventStream(opts: AnomalySseOptions): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const { redis } = opts;
  let cursor = opts.lastEventId ?? (await lastAnomalyStreamId(redis));
  let gap: string | null = null;
  if (opts.lastEventId !== null) {
    const oldest = await firstAnomalyStreamId(redis);
    // The entry right after the resume point may have been trimmed (MAXLEN ~): say so.
    if (oldest !== null && compareStreamIds(oldest, opts.lastEventId) > 0) gap = `event: gap\ndata: ${JSON.stringify({ last_event_id: opts.lastEventId, oldest_available: oldest })}\n\n`;
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    opts.signal.removeEventListener('abort', onAbort);
    // disconnect() also ends a pending XREAD BLOCK at once (quit would wait for it).
    redis.disconnect();
    opts.onClose?.();
  };
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  const onAbort = () => {
    close();
    try {
      controllerRef?.close();
    } catch {
      // already closed
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort);
      controller.enqueue(encoder.encode('retry: 3000\n\n'));
      if (gap) controller.enqueue(encoder.encode(gap));
      // A first comment flushes the headers to the client right away.
      controller.enqueue(encoder.encode(sseComment(`anomalies after ${cursor}`)));
    },
    async pull(controller) {
      if (closed) return;
      try {
        const entries = await readAnomalyStream(redis, cursor, { blockMs: opts.heartbeatMs, count: 200 });
        if (closed) return;
        if (entries.length === 0) {
          controller.enqueue(encoder.encode(sseComment(`heartbeat ${new Date().toISOString()}`)));
          return;
        }
        let chunk = '';
        for (const e of entries) {
          cursor = e.id;
          if (e.message === null) {
            opts.onInvalid?.(e.invalidReason ?? 'invalid');
            continue;
          }
          // The stored text is forwarded as is: it was validated against the contract above.
          chunk += `id: ${e.id}\nevent: anomaly\ndata: ${e.data}\n\n`;
        }
        if (chunk) controller.enqueue(encoder.encode(chunk));
      } catch {
        // Redis went away or the client disconnected during the read: end the stream; the
        // browser reconnects with Last-Event-ID and loses nothing.
        close();
        try {
          controller.close();
        } catch {
          // already closed
        }
      }
    },
    cancel() {
      close();
    },
  });
}
