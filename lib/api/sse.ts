// Server-Sent Events plumbing for the live feed: frames a FeedUpdate stream from a Redis
// subscription into `event: feed` messages, with a comment heartbeat so proxies and browsers keep
// the connection open, and releases the subscription when the client goes away.

import { streamFeedEventSchema, type StreamFeedEvent } from '@/lib/api/contracts';

/** A live source of published feed updates (raw JSON text), e.g. a Redis subscription. */
export interface FeedSubscription {
  /** Starts delivery; messages received before this call are delivered first, in order. */
  onMessage(listener: (text: string) => void): void;
  close(): Promise<void>;
}

export interface FeedStreamOptions {
  subscription: FeedSubscription;
  /** Sent first, so a client has the current state before the next update arrives. */
  initial: StreamFeedEvent;
  signal: AbortSignal;
  heartbeatMs: number;
  /** Tells the browser how long to wait before reconnecting. */
  retryMs?: number;
  /** Called for each published message that does not match the contract (it is skipped). */
  onInvalid?: (reason: string) => void;
  /** Called once when the stream ends, for whatever reason. */
  onClose?: () => void;
}

export function sseEvent(event: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so one data: line is always enough.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Parses one published message against the contract; null (with a reason) when it does not fit. */
export function parsePublishedUpdate(text: string): { ok: true; value: StreamFeedEvent } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = streamFeedEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'does not match the contract' };
  return { ok: true, value: parsed.data };
}

// Updates carry the whole feed state, so under back-pressure skipping some loses nothing that
// the next one does not repeat; a bounded queue keeps a stalled client from growing memory.
const MAX_QUEUED_CHUNKS = 256;

export function createFeedEventStream(opts: FeedStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    opts.signal.removeEventListener('abort', onAbort);
    void opts.subscription.close().catch(() => undefined);
    opts.onClose?.();
  };
  let onAbort = () => {};

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (chunk: string) => {
          if (closed) return;
          if ((controller.desiredSize ?? 1) <= 0) return;
          controller.enqueue(encoder.encode(chunk));
        };
        onAbort = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed or errored by the consumer
          }
        };
        if (opts.signal.aborted) {
          onAbort();
          return;
        }
        opts.signal.addEventListener('abort', onAbort);
        send(`retry: ${opts.retryMs ?? 3000}\n\n`);
        send(sseEvent('feed', opts.initial));
        heartbeat = setInterval(() => send(sseComment(`heartbeat ${new Date().toISOString()}`)), opts.heartbeatMs);
        opts.subscription.onMessage((text) => {
          const parsed = parsePublishedUpdate(text);
          if (!parsed.ok) {
            opts.onInvalid?.(parsed.reason);
            return;
          }
          send(sseEvent('feed', parsed.value));
        });
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: MAX_QUEUED_CHUNKS },
  );
}

export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
