// RIS Live WebSocket client (adapter): connects, subscribes, parses frames, keeps the connection
// alive and reconnects with exponential backoff + jitter, and reports every gap in the feed.
//
// It knows nothing about storage: valid ris_message data objects go to `onMessage`, everything
// else is counted and reported through callbacks. Callbacks never break the client: an exception
// thrown by one is caught and logged.

import { WebSocket, type RawData } from 'ws';
import type { IngestGap } from '@/lib/bgp/types';
import { getLogger, type Logger } from '@/lib/log';
import { parseServerFrame, type RisMessageData, type RisSubscription } from '@/lib/sources/ris-live/messages';
import { risTimestampToMicros } from '@/lib/sources/ris-live/normalize';

export type RisLiveConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export interface RisLiveBackoff {
  initialMs: number;
  maxMs: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Share of the delay that is randomised: 1 = full jitter (default), 0 = none. */
  jitter?: number;
}

export interface RisLiveClientOptions {
  /** e.g. wss://ris-live.ripe.net/v1/ws/ — `?client=<clientName>` is added when absent. */
  url: string;
  clientName: string;
  /** Each is sent as one ris_subscribe after every (re)connect; subscriptions are OR-ed. */
  subscriptions: RisSubscription[];
  onMessage: (data: RisMessageData, receivedAtMs: number) => void;
  onMalformed?: (reason: string, sample: string) => void;
  onRisError?: (message: string) => void;
  onStateChange?: (state: RisLiveConnectionState, detail?: string) => void;
  /** Called once per outage, when the first valid ris_message arrives after reconnecting. */
  onGap?: (gap: IngestGap) => void;
  backoff?: RisLiveBackoff;
  /** App-level {"type":"ping"} interval; no frame for 3× this closes the connection (default 15 s). */
  pingIntervalMs?: number;
  /** Larger frames are skipped as malformed (default 4 MiB). */
  maxFrameBytes?: number;
  /** A connection that stays up this long resets the backoff (default 30 s). */
  healthyAfterMs?: number;
  /** WebSocket opening handshake timeout (default 15 s). */
  connectTimeoutMs?: number;
  now?: () => number;
  /** Random source for jitter, [0, 1). */
  random?: () => number;
  logger?: Logger;
}

export interface RisLiveClientStats {
  connected: boolean;
  /** Connection attempts made after the first one (one per disconnect or failed attempt). */
  reconnects: number;
  /** Valid ris_message frames received. */
  messages: number;
  /** Frames skipped as unusable (too large, bad JSON, unknown type, invalid fields). */
  malformed: number;
  lastMessageAtMs: number | null;
  /** Event time (µs) of the last ris_message. */
  lastEventTimeUs: number | null;
}

const DEFAULT_BACKOFF: Required<RisLiveBackoff> = { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 1 };
const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
const SAMPLE_CHARS = 200;
const STOP_GRACE_MS = 2000;

interface PendingGap {
  startedAtMs: number;
  lastEventBeforeUs: number | null;
  reason: string;
}

/** Adds `client=<name>` to the query string unless the URL already names a client. */
export function withClientName(url: string, clientName: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('client')) u.searchParams.set('client', clientName);
  return u.toString();
}

/** Delay before reconnect attempt `attempt` (0-based): capped exponential, then jittered down. */
export function backoffDelayMs(backoff: RisLiveBackoff, attempt: number, random: () => number): number {
  const factor = backoff.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = Math.min(1, Math.max(0, backoff.jitter ?? DEFAULT_BACKOFF.jitter));
  const cap = Math.min(backoff.maxMs, backoff.initialMs * factor ** Math.min(attempt, 64));
  return Math.round(cap * (1 - jitter * random()));
}

export class RisLiveClient {
  private readonly url: string;
  private readonly opts: RisLiveClientOptions;
  private readonly backoff: RisLiveBackoff;
  private readonly pingIntervalMs: number;
  private readonly maxFrameBytes: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;

  private ws: WebSocket | null = null;
  private state: RisLiveConnectionState | 'idle' = 'idle';
  private paused = false;
  private attempt = 0;
  private everConnected = false;
  private pendingGap: PendingGap | null = null;
  private lastFrameAtMs = 0;
  private lastRisError: string | null = null;

  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private healthyTimer: NodeJS.Timeout | null = null;

  private counters = { reconnects: 0, messages: 0, malformed: 0 };
  private lastMessageAtMs: number | null = null;
  private lastEventTimeUs: number | null = null;

  constructor(opts: RisLiveClientOptions) {
    this.opts = opts;
    this.url = withClientName(opts.url, opts.clientName);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.pingIntervalMs = opts.pingIntervalMs ?? 15_000;
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = (opts.logger ?? getLogger()).child({ module: 'ris-live-client' });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Closes the connection (politely, then forcibly after a short grace) and cancels every timer. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          ws.terminate();
          resolve();
        }, STOP_GRACE_MS);
        ws.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client stopping');
      });
    }
    this.emitState('stopped');
  }

  /** Stops reading from the socket (TCP back-pressure) until resume(). */
  pause(): void {
    this.paused = true;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // Silence while paused was ours, not the server's.
    this.lastFrameAtMs = this.now();
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.resume();
  }

  stats(): RisLiveClientStats {
    return {
      connected: this.state === 'connected',
      reconnects: this.counters.reconnects,
      messages: this.counters.messages,
      malformed: this.counters.malformed,
      lastMessageAtMs: this.lastMessageAtMs,
      lastEventTimeUs: this.lastEventTimeUs,
    };
  }

  /** Drops the current connection and reconnects with backoff; the outage is reported as a gap. */
  forceReconnect(reason: string): void {
    if (this.state === 'stopped' || this.state === 'idle') return;
    const ws = this.ws;
    if (ws) {
      this.handleDisconnect(ws, `forced: ${reason}`);
      ws.terminate();
    }
  }

  // -------------------------------------------------------------------------------------------

  private connect(): void {
    if (this.state === 'stopped') return;
    if (this.everConnected || this.attempt > 0) this.counters.reconnects++;
    this.emitState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, {
        handshakeTimeout: this.opts.connectTimeoutMs ?? 15_000,
        // Hard limit far above maxFrameBytes: frames in between are skipped and counted without
        // dropping the connection; only absurd frames make ws close it (then we reconnect).
        maxPayload: Math.max(this.maxFrameBytes * 8, 64 * 1024 * 1024),
      });
    } catch (err) {
      this.log.error({ err, url: this.url }, 'cannot open RIS Live connection');
      this.markGapStart(`connect failed: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.on('open', () => this.safely(() => this.onOpen(ws)));
    ws.on('message', (data: RawData, isBinary: boolean) => this.safely(() => this.onFrame(ws, data, isBinary)));
    ws.on('error', (err: Error) => {
      // 'close' follows every 'error'; the reconnect happens there.
      this.safely(() => this.log.warn({ err: err.message, url: this.url }, 'RIS Live socket error'));
      this.safely(() => this.noteError(ws, err));
    });
    ws.on('close', (code: number, reason: Buffer) =>
      this.safely(() => this.handleDisconnect(ws, this.closeReason(code, reason.toString('utf8')))),
    );
  }

  private socketError: WeakMap<WebSocket, string> = new WeakMap();

  private noteError(ws: WebSocket, err: Error): void {
    this.socketError.set(ws, err.message);
  }

  private closeReason(code: number, text: string): string {
    const parts = [`connection closed (${code}${text ? ` ${text.slice(0, 100)}` : ''})`];
    if (this.lastRisError) parts.push(`after ris_error: ${this.lastRisError.slice(0, 200)}`);
    return parts.join(' ');
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws || this.state === 'stopped') return;
    this.everConnected = true;
    this.lastRisError = null;
    this.lastFrameAtMs = this.now();
    for (const sub of this.opts.subscriptions) ws.send(JSON.stringify({ type: 'ris_subscribe', data: sub }));
    if (this.paused) ws.pause();
    this.pingTimer = setInterval(() => this.safely(() => this.onPingTick(ws)), this.pingIntervalMs);
    this.healthyTimer = setTimeout(() => {
      this.attempt = 0;
    }, this.opts.healthyAfterMs ?? 30_000);
    this.emitState('connected', this.pendingGap ? `reconnected after: ${this.pendingGap.reason}` : undefined);
    this.log.info({ url: this.url, subscriptions: this.opts.subscriptions.length }, 'RIS Live connected');
  }

  private onPingTick(ws: WebSocket): void {
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    const silentMs = this.now() - this.lastFrameAtMs;
    if (!this.paused && silentMs > 3 * this.pingIntervalMs) {
      this.log.warn({ silentMs }, 'RIS Live connection silent: closing it');
      this.handleDisconnect(ws, `no frames for ${silentMs} ms`);
      ws.terminate();
      return;
    }
    ws.send('{"type":"ping","data":null}');
  }

  private onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const receivedAtMs = this.now();
    this.lastFrameAtMs = receivedAtMs;
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (buf.length > this.maxFrameBytes) {
      this.malformed(`frame too large (${buf.length} > ${this.maxFrameBytes} bytes)`, buf.subarray(0, SAMPLE_CHARS).toString('utf8'));
      return;
    }
    const text = buf.toString('utf8');
    if (isBinary) this.log.debug('binary frame received; parsing it as text');
    const frame = parseServerFrame(text, this.maxFrameBytes);
    switch (frame.kind) {
      case 'ris_message': {
        this.counters.messages++;
        this.lastMessageAtMs = receivedAtMs;
        const eventUs = risTimestampToMicros(frame.data.timestamp);
        if (this.pendingGap) this.emitGap(this.pendingGap, receivedAtMs, eventUs);
        this.lastEventTimeUs = eventUs;
        this.safely(() => this.opts.onMessage(frame.data, receivedAtMs), 'onMessage');
        return;
      }
      case 'ris_error':
        this.lastRisError = frame.message;
        this.log.warn({ message: frame.message }, 'ris_error from RIS Live');
        if (this.opts.onRisError) this.safely(() => this.opts.onRisError?.(frame.message), 'onRisError');
        return;
      case 'malformed':
        this.malformed(frame.reason, text.slice(0, SAMPLE_CHARS));
        return;
      case 'ris_subscribe_ok':
      case 'ris_rrc_list':
      case 'pong':
        this.log.debug({ kind: frame.kind }, 'RIS Live control frame');
        return;
    }
  }

  private malformed(reason: string, sample: string): void {
    this.counters.malformed++;
    if (this.opts.onMalformed) this.safely(() => this.opts.onMalformed?.(reason, sample), 'onMalformed');
    else this.log.warn({ reason, sample }, 'malformed RIS Live frame skipped');
  }

  private markGapStart(reason: string): void {
    // Repeated failures during one outage keep the first start and reason.
    this.pendingGap ??= { startedAtMs: this.now(), lastEventBeforeUs: this.lastEventTimeUs, reason };
  }

  private emitGap(pending: PendingGap, endedAtMs: number, firstEventAfterUs: number): void {
    this.pendingGap = null;
    const gap: IngestGap = {
      source: 'ris_live_bgp',
      startedAtMs: pending.startedAtMs,
      endedAtMs,
      lastEventBeforeUs: pending.lastEventBeforeUs,
      firstEventAfterUs,
      reason: pending.reason,
    };
    this.log.info({ gap }, 'RIS Live feed resumed after a gap');
    if (this.opts.onGap) this.safely(() => this.opts.onGap?.(gap), 'onGap');
  }

  /** Handles the end of `ws` (close, error, silence, forced) exactly once. */
  private handleDisconnect(ws: WebSocket, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearConnectionTimers();
    if (this.state === 'stopped') return;
    const error = this.socketError.get(ws);
    const fullReason = error && !reason.startsWith('forced') ? `${reason}: ${error}` : reason;
    // Only a connection that carried data opens a gap; an initial connect that fails has lost
    // nothing we could have had, but it is still a gap once anything was received.
    if (this.everConnected) this.markGapStart(fullReason);
    this.emitState('disconnected', fullReason);
    this.log.warn({ reason: fullReason }, 'RIS Live disconnected');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped' || this.reconnectTimer) return;
    const delay = backoffDelayMs(this.backoff, this.attempt, this.random);
    this.attempt++;
    this.log.info({ delayMs: delay, attempt: this.attempt }, 'RIS Live reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.safely(() => this.connect());
    }, delay);
  }

  private clearConnectionTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.pingTimer = null;
    this.healthyTimer = null;
  }

  private clearTimers(): void {
    this.clearConnectionTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private emitState(state: RisLiveConnectionState, detail?: string): void {
    this.state = state;
    if (this.opts.onStateChange) this.safely(() => this.opts.onStateChange?.(state, detail), 'onStateChange');
  }

  private safely(fn: () => void, what = 'handler'): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `RIS Live client: ${what} threw`);
    }
  }
}
