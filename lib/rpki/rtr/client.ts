// RTR client (router side) over TCP: connects, negotiates the version (RFC 8210 v1 by default,
// down to RFC 6810 v0 on an Unsupported Version error or when the cache answers in a lower
// version), loads the full set with Reset Query, follows changes by Serial Query on Serial Notify
// and on the refresh timer, and reconnects with backoff. A dead cache, garbage on the wire or an
// Error Report never clears the set it holds: it is kept and reported stale.
//
// Timers (RFC 8210 §6, values from the cache's End of Data): Refresh → Serial Query; a query left
// unanswered for the Retry interval counts as failed (reconnect, no sooner than Retry allows);
// no successful refresh within Expire → the data is marked expired and the source stale. We keep
// using it past Expire (a router would drop it): the issue asks for the last good set to stay in
// force when the source is down, and dropping it would turn every invalid route into "not found"
// for an observatory whose job is to report them; the health endpoint says it is stale.
//
// Nothing starts in the constructor: start() connects, stop() closes and clears every timer.

import net from 'node:net';
import type { Logger } from '@/lib/log';
import { decodePdu, encodeErrorReport, PduFramer, RTR_ERROR, RtrProtocolError, type RtrVersion } from '@/lib/rpki/rtr/pdu';
import { RtrSession, type EndOfDataResult } from '@/lib/rpki/rtr/session';
import type { VrpSet } from '@/lib/rpki/types';

/** Timer functions (real ones by default; tests pass a manual clock for the minutes-long intervals). */
export interface RtrTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: RtrTimers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RtrClientOptions {
  host: string;
  port: number;
  /** Highest version to offer (default 1). */
  version?: RtrVersion;
  logger: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
  /**
   * Called after every End of Data; `set()` builds the complete current set (only call it when
   * `info` shows a change: a refresh without changes is the common case).
   */
  onData?: (info: EndOfDataResult, set: () => VrpSet) => void;
  /** Wall clock, for status times only. */
  now?: () => number;
  timers?: RtrTimers;
}

export interface RtrClientStatus {
  connected: boolean;
  version: RtrVersion;
  sessionId: number | null;
  serial: number | null;
  vrpCount: number;
  aspaCount: number;
  lastSuccessMs: number | null;
  lastErrorMs: number | null;
  lastError: string | null;
  /** No working session now, or the expire interval passed without a successful refresh. */
  stale: boolean;
  /** The expire interval of the last End of Data passed without a successful refresh. */
  expired: boolean;
  reconnects: number;
  /** Malformed or out-of-order PDUs received (each answered with our Error Report and a reconnect). */
  protocolErrors: number;
  /** Error Reports received from the cache. */
  errorReports: number;
}

// RFC 8210 §6 defaults, used until the cache sends its own (and always in v0).
const DEFAULT_REFRESH_S = 3600;
const DEFAULT_RETRY_S = 600;
const DEFAULT_EXPIRE_S = 7200;

export class RtrClient {
  private readonly session: RtrSession;
  private socket: net.Socket | null = null;
  private framer = new PduFramer();
  private running = false;
  private connected = false;
  private negotiated = false;
  private failures = 0;
  private reconnects = 0;
  private protocolErrors = 0;
  private errorReports = 0;
  private lastSuccessMs: number | null = null;
  private lastErrorMs: number | null = null;
  private lastError: string | null = null;
  private expired = false;
  /** A Serial Notify arrived mid-transfer: query again right after End of Data. */
  private notifyPending = false;
  private refreshTimer: unknown = null;
  private expireTimer: unknown = null;
  private reconnectTimer: unknown = null;
  /** Armed while a query is outstanding: no bytes for the Retry interval fail the session. */
  private answerTimer: unknown = null;
  private readonly t: RtrTimers;
  private timers = { refreshS: DEFAULT_REFRESH_S, retryS: DEFAULT_RETRY_S, expireS: DEFAULT_EXPIRE_S };
  private readonly now: () => number;
  private version: RtrVersion;

  constructor(private readonly opts: RtrClientOptions) {
    this.version = opts.version ?? 1;
    this.session = new RtrSession(this.version);
    this.now = opts.now ?? Date.now;
    this.t = opts.timers ?? REAL_TIMERS;
  }

  /** Intervals in force (seconds): the cache's from its last End of Data, else RFC 8210 defaults. */
  get intervals(): { refreshS: number; retryS: number; expireS: number } {
    return { ...this.timers };
  }

  get id(): string {
    return `rtr:${this.opts.host}:${this.opts.port}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.refreshTimer, this.expireTimer, this.reconnectTimer, this.answerTimer]) if (t !== null) this.t.clear(t);
    this.refreshTimer = this.expireTimer = this.reconnectTimer = this.answerTimer = null;
    const s = this.socket;
    this.socket = null;
    // No goodbye exists in RTR: closing the socket is the end of the session.
    s?.destroy();
    this.connected = false;
  }

  status(): RtrClientStatus {
    return {
      connected: this.connected,
      version: this.version,
      sessionId: this.session.sessionId,
      serial: this.session.serial,
      vrpCount: this.session.vrpCount,
      aspaCount: this.session.currentAspas().length,
      lastSuccessMs: this.lastSuccessMs,
      lastErrorMs: this.lastErrorMs,
      lastError: this.lastError,
      stale: !this.connected || this.expired || this.lastSuccessMs === null,
      expired: this.expired,
      reconnects: this.reconnects,
      protocolErrors: this.protocolErrors,
      errorReports: this.errorReports,
    };
  }

  currentSet(): VrpSet {
    return { vrps: this.session.currentVrps(), aspas: this.session.currentAspas() };
  }

  private log(): Logger {
    return this.opts.logger;
  }

  private connect(): void {
    if (!this.running) return;
    this.framer = new PduFramer();
    this.negotiated = false;
    this.session.version = this.version;
    const socket = net.connect({ host: this.opts.host, port: this.opts.port });
    this.socket = socket;
    socket.setTimeout(this.opts.connectTimeoutMs ?? 10_000);
    socket.on('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.query();
    });
    socket.on('timeout', () => this.fail(socket, 'connect timeout'));
    socket.on('data', (chunk: Buffer) => this.onChunk(socket, chunk));
    socket.on('error', (err) => this.fail(socket, err.message));
    socket.on('close', () => this.fail(socket, 'connection closed'));
  }

  private send(buf: Buffer): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(buf);
  }

  /** Sends the next Reset/Serial Query and waits at most the Retry interval for the cache to speak. */
  private query(): void {
    this.send(this.session.nextQuery());
    this.armAnswerTimer();
  }

  private armAnswerTimer(): void {
    if (this.answerTimer !== null) this.t.clear(this.answerTimer);
    const socket = this.socket;
    this.answerTimer = this.t.set(() => {
      this.answerTimer = null;
      if (socket) this.fail(socket, `no answer from the cache within the retry interval (${this.timers.retryS} s)`);
    }, this.timers.retryS * 1000);
  }

  private onChunk(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    // The cache is talking: a long transfer is not a silent cache.
    if (this.answerTimer !== null) this.armAnswerTimer();
    try {
      for (const frame of this.framer.push(chunk)) {
        const pdu = decodePdu(frame);
        if (pdu.version !== this.session.version) {
          // The first answer may come in a lower version: the cache's way of negotiating down.
          if (!this.negotiated && pdu.version < this.session.version) {
            this.log().info({ source: this.id, from: this.session.version, to: pdu.version }, 'RTR cache speaks a lower version: downgrading');
            this.version = pdu.version as RtrVersion;
            this.session.version = this.version;
          } else if (pdu.type !== 'error_report') {
            throw new RtrProtocolError(`PDU version ${pdu.version} in a version ${this.session.version} session`, RTR_ERROR.unexpectedVersion, Buffer.from(frame));
          }
        }
        this.negotiated = true;
        const ev = this.session.handle(pdu);
        if (ev.kind === 'end_of_data') this.onEndOfData(ev);
        else if (ev.kind === 'cache_reset') this.query();
        else if (ev.kind === 'serial_notify') {
          if (this.session.busy) this.notifyPending = true;
          else this.query();
        }
        else if (ev.kind === 'error_report') return this.onErrorReport(socket, ev.code, ev.text);
      }
    } catch (err) {
      if (err instanceof RtrProtocolError) {
        this.protocolErrors++;
        // Report it to the cache (never in answer to an Error Report), then start over.
        this.send(encodeErrorReport(this.session.version, err.code, err.pdu, err.message));
        this.fail(socket, `protocol error: ${err.message}`);
      } else {
        this.fail(socket, `unexpected: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private onErrorReport(socket: net.Socket, code: number, text: string): void {
    this.errorReports++;
    if (code === RTR_ERROR.unsupportedVersion && this.version > 0) {
      this.version = (this.version - 1) as RtrVersion;
      this.log().info({ source: this.id, version: this.version }, 'RTR cache does not support our version: retrying lower');
      this.fail(socket, `Error Report ${code}: ${text}`, 0);
      return;
    }
    this.fail(socket, `Error Report ${code}: ${text || '(no text)'}`);
  }

  private onEndOfData(ev: EndOfDataResult): void {
    if (this.answerTimer !== null) this.t.clear(this.answerTimer);
    this.answerTimer = null;
    this.failures = 0;
    this.expired = false;
    this.lastSuccessMs = this.now();
    // Clamp to RFC 8210 §6 ranges so a hostile cache cannot make us spin or never refresh.
    if (ev.refresh !== null) this.timers.refreshS = clamp(ev.refresh, 1, 86_400);
    if (ev.retry !== null) this.timers.retryS = clamp(ev.retry, 1, 7_200);
    if (ev.expire !== null) this.timers.expireS = clamp(ev.expire, 600, 172_800);
    if (this.refreshTimer !== null) this.t.clear(this.refreshTimer);
    this.refreshTimer = this.t.set(() => {
      this.refreshTimer = null;
      if (this.connected && !this.session.busy) this.query();
    }, this.timers.refreshS * 1000);
    if (this.expireTimer !== null) this.t.clear(this.expireTimer);
    this.expireTimer = this.t.set(() => {
      this.expireTimer = null;
      this.expired = true;
      this.lastError = `no successful refresh within the expire interval (${this.timers.expireS} s): data kept, stale`;
      this.lastErrorMs = this.now();
      this.log().warn({ source: this.id, expireS: this.timers.expireS }, 'RTR data passed its expire interval without a refresh: kept, reported stale');
    }, this.timers.expireS * 1000);
    this.log().debug({ source: this.id, serial: ev.serial, reset: ev.reset, announced: ev.announced, withdrawn: ev.withdrawn }, 'RTR End of Data');
    this.opts.onData?.(ev, () => this.currentSet());
    if (this.notifyPending) {
      this.notifyPending = false;
      this.query();
    }
  }

  /** Drops the connection and schedules a reconnect; the set held is kept. */
  private fail(socket: net.Socket, reason: string, delayMs?: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.connected = false;
    socket.destroy();
    if (this.answerTimer !== null) this.t.clear(this.answerTimer);
    this.answerTimer = null;
    this.session.abortTransfer();
    this.notifyPending = false;
    this.lastError = reason;
    this.lastErrorMs = this.now();
    if (!this.running) return;
    this.failures++;
    const min = this.opts.minBackoffMs ?? 1_000;
    const max = Math.min(this.opts.maxBackoffMs ?? 60_000, this.timers.retryS * 1000);
    const delay = delayMs ?? Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    this.log().warn({ source: this.id, reason, retryInMs: delay, vrpsKept: this.session.vrpCount }, 'RTR session lost');
    this.reconnectTimer = this.t.set(() => {
      this.reconnectTimer = null;
      this.reconnects++;
      this.connect();
    }, delay);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
