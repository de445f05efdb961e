// A RIS Live-compatible WebSocket server that replays an NDJSON recording (or the generated demo
// stream) on 127.0.0.1, so the collector runs unchanged on machines without Internet.
//
// Like the live service it is a broadcast: one shared playback position, every subscribed client
// gets the matching messages as they are played, and a client that reconnects has missed what
// was played meanwhile (that is what makes a gap). Speed 1 plays at the pace of the messages'
// own timestamps, 10 ten times faster; 'max' plays as fast as the slowest subscribed client reads
// (back-pressure on ws.bufferedAmount) and pauses while nobody is subscribed. At a finite speed a
// client that cannot keep up is dropped with a final ris_error, as RIS Live does.

import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { getLogger, type Logger } from '@/lib/log';
import { ClientSession, type ServerFrame } from '@/lib/replay/client-session';
import { frameFor, parseInputLine, retimeMessage, type ReplayMessage } from '@/lib/replay/frames';
import { fileLines, iterableLines, type SourceLine } from '@/lib/replay/line-source';

export interface ReplayServerOptions {
  /** NDJSON, one server frame per line ({"type":"ris_message","data":{...}}); bare data objects are accepted too. */
  source: { file: string } | { lines: AsyncIterable<string> | Iterable<string> };
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Default '/v1/ws/' (clients may add ?client=...). */
  path?: string;
  /** 1 = real time by the messages' timestamps, 10 = 10×, 'max' = as fast as the clients read. */
  speed: number | 'max';
  /** Start over at the end. A one-shot generator source cannot be replayed: playback then ends. */
  loop?: boolean;
  /** Shift timestamps so each pass starts "now" and never repeats an earlier event time; ids follow. */
  retime?: boolean;
  /** Default 'first-subscribe': the clock starts when a client first subscribes. */
  startWhen?: 'first-subscribe' | 'immediately';
  /** Wall clock in ms (injectable for tests). */
  now?: () => number;
  /** How the playback waits for a message's due time (injectable for tests; must resolve). */
  sleep?: (ms: number) => Promise<void>;
  /** Lines longer than this are counted as malformed and skipped. Default 4 MiB. */
  maxLineBytes?: number;
  /** 'max' speed: pause sending while a client has more than this queued. Default 1 MiB. */
  highWaterBytes?: number;
  /** Finite speed: drop a client with more than this queued. Default 16 MiB. */
  slowClientBytes?: number;
  /** Called for every message played, with its (possibly retimed) event time and the wall time it went out. */
  onPlayed?: (e: { timestampMs: number; atMs: number; position: number }) => void;
  logger?: Logger;
}

export interface ReplayStats {
  clients: number;
  subscribedClients: number;
  /** ris_message frames sent, over all clients. */
  sent: number;
  /** Input lines that were not usable (bad JSON, no timestamp, too long). */
  malformedInput: number;
  /** Input lines that were valid but not feed messages (e.g. recorded ris_error frames). */
  skippedInput: number;
  /** Input lines consumed so far, over all passes. */
  position: number;
  /** Messages played (broadcast), over all passes. */
  played: number;
  passes: number;
  droppedSlowClients: number;
  finished: boolean;
  error: string | null;
}

export interface ReplayServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Cuts every client connection abruptly (as a network failure would). */
  dropClients(): void;
  stats(): ReplayStats;
}

interface Client {
  ws: WebSocket;
  session: ClientSession;
}

const YIELD_EVERY = 256;

export async function startReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  if (opts.speed !== 'max' && !(typeof opts.speed === 'number' && opts.speed > 0 && Number.isFinite(opts.speed))) {
    throw new Error(`invalid speed ${String(opts.speed)}: a positive number or 'max'`);
  }
  if ('file' in opts.source) {
    const file = opts.source.file;
    await access(file).catch(() => {
      throw new Error(`replay file not readable: ${file}`);
    });
  }
  const log = (opts.logger ?? getLogger()).child({ module: 'replay' });
  const now = opts.now ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const wsPath = opts.path ?? '/v1/ws/';
  const maxLineBytes = opts.maxLineBytes ?? 4 * 1024 * 1024;
  const highWater = opts.highWaterBytes ?? 1024 * 1024;
  const slowClientBytes = opts.slowClientBytes ?? 16 * 1024 * 1024;

  const clients = new Set<Client>();
  const stats = { sent: 0, malformedInput: 0, skippedInput: 0, position: 0, played: 0, passes: 0, droppedSlowClients: 0, finished: false, error: null as string | null };
  let closed = false;
  const abort = new AbortController();
  // Resolvers waiting for "someone subscribed" (start of playback, 'max' pause).
  let subscribeWaiters: Array<() => void> = [];
  const wakeSubscribeWaiters = () => {
    const ws = subscribeWaiters;
    subscribeWaiters = [];
    for (const w of ws) w();
  };
  const hasSubscriber = () => {
    for (const c of clients) if (c.session.subscriptionCount > 0 && c.ws.readyState === WebSocket.OPEN) return true;
    return false;
  };
  const waitForSubscriber = async () => {
    while (!closed && !hasSubscriber()) await new Promise<void>((resolve) => subscribeWaiters.push(resolve));
  };
  const sleep =
    opts.sleep ??
    (async (ms: number) => {
      await delay(ms, undefined, { signal: abort.signal }).catch(() => undefined);
    });

  const send = (ws: WebSocket, frame: ServerFrame) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  wss.on('error', (err) => log.error({ err }, 'websocket server error'));
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const client: Client = { ws, session: new ClientSession() };
    clients.add(client);
    log.info({ remote: req.socket.remoteAddress, url: req.url, clients: clients.size }, 'replay client connected');
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        send(ws, { type: 'ris_error', data: { message: 'expected a text frame' } });
        return;
      }
      const result = client.session.handle(raw.toString());
      for (const reply of result.replies) send(ws, reply);
      if (result.subscribed) wakeSubscribeWaiters();
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'replay client socket error'));
    ws.on('close', () => {
      clients.delete(client);
      log.info({ clients: clients.size }, 'replay client disconnected');
    });
  });

  const server: Server = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`RIS Live replay: connect a WebSocket to ${wsPath}\n`);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://replay').pathname;
    if (pathname !== wsPath && pathname !== wsPath.replace(/\/$/, '')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `ws://${urlHost}:${port}${wsPath}`;

  const openSource = (): AsyncGenerator<SourceLine, void, undefined> =>
    'file' in opts.source ? fileLines(opts.source.file, maxLineBytes) : iterableLines(opts.source.lines, maxLineBytes);

  const dropSlowClient = (c: Client) => {
    stats.droppedSlowClients++;
    log.warn({ buffered: c.ws.bufferedAmount }, 'dropping a replay client that cannot keep up');
    send(c.ws, { type: 'ris_error', data: { message: 'client is too slow: dropping connection' } });
    c.ws.close(1008, 'too slow');
    clients.delete(c);
    // If the close handshake cannot get through the full buffer either, cut the socket.
    setTimeout(() => c.ws.terminate(), 2_000).unref();
  };

  const broadcast = (msg: ReplayMessage) => {
    for (const c of clients) {
      if (c.ws.readyState !== WebSocket.OPEN || c.session.subscriptionCount === 0) continue;
      if (!c.session.matches(msg.data)) continue;
      c.ws.send(frameFor(msg, c.session.includeRaw));
      stats.sent++;
      if (opts.speed !== 'max' && c.ws.bufferedAmount > slowClientBytes) dropSlowClient(c);
    }
  };

  const waitForDrain = async () => {
    for (const c of clients) {
      while (!closed && c.ws.readyState === WebSocket.OPEN && c.ws.bufferedAmount > highWater / 4) {
        // Poll: ws exposes no drain event; 2 ms keeps a 1 MiB buffer flowing at well over 100 MB/s.
        await delay(2);
      }
    }
  };

  const play = async () => {
    if ((opts.startWhen ?? 'first-subscribe') === 'first-subscribe') await waitForSubscriber();
    let lastEmittedMs = -Infinity;
    let pass = 0;
    for (;;) {
      // Retimed event times of this pass stay above everything played before (no repeats across loops).
      const passFloorMs = lastEmittedMs + 1;
      let shiftMs = 0;
      let firstTsMs: number | null = null;
      let clockStartMs = 0;
      let messagesThisPass = 0;
      for await (const item of openSource()) {
        if (closed) return;
        stats.position++;
        if (item.kind === 'too_long') {
          stats.malformedInput++;
          log.warn({ bytes: item.bytes, position: stats.position }, 'replay input line too long, skipped');
          continue;
        }
        const parsed = parseInputLine(item.text);
        if (parsed.kind === 'malformed') {
          stats.malformedInput++;
          log.warn({ reason: parsed.reason, position: stats.position }, 'malformed replay input line, skipped');
          continue;
        }
        if (parsed.kind === 'skip') {
          stats.skippedInput++;
          continue;
        }
        let msg = parsed.message;
        if (firstTsMs === null) {
          firstTsMs = msg.timestampMs;
          clockStartMs = now();
          if (opts.retime) shiftMs = Math.max(clockStartMs, passFloorMs) - firstTsMs;
        }
        if (opts.speed === 'max') {
          await waitForSubscriber();
          if (closed) return;
        } else {
          const dueMs = clockStartMs + (msg.timestampMs - firstTsMs) / opts.speed;
          const wait = dueMs - now();
          if (wait >= 1) await sleep(wait);
          if (closed) return;
        }
        if (opts.retime) msg = retimeMessage(msg, Math.max(msg.timestampMs + shiftMs, passFloorMs), pass);
        lastEmittedMs = Math.max(lastEmittedMs, msg.timestampMs);
        broadcast(msg);
        stats.played++;
        messagesThisPass++;
        opts.onPlayed?.({ timestampMs: msg.timestampMs, atMs: now(), position: stats.position });
        if (opts.speed === 'max') await waitForDrain();
        // Let sockets flush and client messages (ping, subscribe) in, even when nothing sleeps.
        if (stats.played % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      }
      stats.passes++;
      pass++;
      if (!opts.loop || closed) break;
      if (messagesThisPass === 0) {
        log.warn('replay source yielded no messages on this pass; not looping');
        break;
      }
    }
  };

  const playing = play()
    .catch((err: unknown) => {
      stats.error = (err as Error).message;
      log.error({ err }, 'replay playback failed');
    })
    .finally(() => {
      stats.finished = true;
      if (!closed) log.info({ played: stats.played, sent: stats.sent, malformed: stats.malformedInput }, 'replay finished');
    });

  log.info({ url, speed: opts.speed, loop: opts.loop ?? false, retime: opts.retime ?? false }, 'replay server listening');

  return {
    url,
    port,
    stats: () => ({
      clients: clients.size,
      subscribedClients: [...clients].filter((c) => c.session.subscriptionCount > 0).length,
      ...stats,
    }),
    dropClients: () => {
      for (const c of clients) c.ws.terminate();
      clients.clear();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      abort.abort();
      wakeSubscribeWaiters();
      for (const c of clients) c.ws.terminate();
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await serverClosed;
      await playing;
    },
  };
}
