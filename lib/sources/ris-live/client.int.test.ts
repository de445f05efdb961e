import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { pino } from 'pino';
import type { IngestGap } from '@/lib/bgp/types';
import { RisLiveClient, backoffDelayMs, withClientName, type RisLiveClientOptions } from '@/lib/sources/ris-live/client';
import type { RisMessageData, RisSubscription } from '@/lib/sources/ris-live/messages';

// A RIS Live-speaking server written for this test: records the request URL and every client
// frame, answers ris_subscribe (with ris_subscribe_ok when asked) and ping, and lets the test
// push exact frames or kill sockets.
class FakeRisLive {
  readonly sockets: WebSocket[] = [];
  readonly requestUrls: string[] = [];
  readonly subscriptions: Array<{ connection: number; data: unknown }> = [];
  readonly pings: number[] = [];
  answerPings = true;
  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(port = 0): Promise<FakeRisLive> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    await once(wss, 'listening');
    const server = new FakeRisLive(wss, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/ws/`);
    wss.on('connection', (ws, req) => {
      const connection = server.sockets.push(ws) - 1;
      server.requestUrls.push(req.url ?? '');
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as { type: string; data: { socketOptions?: { acknowledge?: boolean } } };
        if (msg.type === 'ris_subscribe') {
          server.subscriptions.push({ connection, data: msg.data });
          if (msg.data.socketOptions?.acknowledge) ws.send(JSON.stringify({ type: 'ris_subscribe_ok', data: { subscription: msg.data } }));
        } else if (msg.type === 'ping') {
          server.pings.push(connection);
          if (server.answerPings) ws.send('{"type":"pong","data":null}');
        }
      });
    });
    return server;
  }

  get current(): WebSocket {
    const ws = this.sockets.at(-1);
    if (!ws) throw new Error('no client connected');
    return ws;
  }

  send(...frames: string[]): void {
    for (const f of frames) this.current.send(f);
  }

  terminateAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.terminateAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

let seq = 0;
function update(ts: number, prefix: string): string {
  seq++;
  return JSON.stringify({
    type: 'ris_message',
    data: {
      timestamp: ts,
      peer: '37.49.237.143',
      peer_asn: '50628',
      id: `37.49.237.143-${seq.toString(16).padStart(16, '0')}`,
      host: 'rrc21.ripe.net',
      type: 'UPDATE',
      path: [50628, 16509],
      community: [],
      origin: 'IGP',
      announcements: [{ next_hop: '37.49.237.143', prefixes: [prefix] }],
      withdrawals: [],
    },
  });
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const silent = pino({ level: 'silent' });
const SUBSCRIPTION: RisSubscription = { host: 'rrc21', type: 'UPDATE', prefix: '173.82.0.0/16', moreSpecific: true, socketOptions: { acknowledge: true } };

interface Harness {
  client: RisLiveClient;
  received: Array<{ data: RisMessageData; at: number }>;
  malformed: Array<{ reason: string; sample: string }>;
  gaps: IngestGap[];
  risErrors: string[];
  states: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function makeClient(server: FakeRisLive, overrides: Partial<RisLiveClientOptions> = {}): Harness {
  const h: Omit<Harness, 'client'> = { received: [], malformed: [], gaps: [], risErrors: [], states: [] };
  const client = new RisLiveClient({
    url: server.url,
    clientName: 'obs-test',
    subscriptions: [SUBSCRIPTION],
    onMessage: (data, at) => h.received.push({ data, at }),
    onMalformed: (reason, sample) => h.malformed.push({ reason, sample }),
    onRisError: (m) => h.risErrors.push(m),
    onGap: (g) => h.gaps.push(g),
    onStateChange: (s) => h.states.push(s),
    backoff: { initialMs: 20, maxMs: 100 },
    pingIntervalMs: 1000,
    maxFrameBytes: 64 * 1024,
    logger: silent,
    ...overrides,
  });
  cleanups.push(() => client.stop());
  return { client, ...h };
}

async function startServer(port = 0): Promise<FakeRisLive> {
  const server = await FakeRisLive.start(port);
  cleanups.unshift(() => server.close()); // closed after the client stops
  return server;
}

describe('RisLiveClient against a real WebSocket server', () => {
  it('subscribes with the configured subscription and client name, then delivers messages', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    expect(server.requestUrls[0]).toBe('/v1/ws/?client=obs-test');
    expect(server.subscriptions[0]!.data).toEqual(SUBSCRIPTION);
    server.send(update(1787141896.08, '173.82.228.0/24'), update(1787141896.081, '173.82.229.0/24'));
    await waitFor('2 messages', () => h.received.length === 2);
    expect(h.received.map((r) => (r.data.type === 'UPDATE' ? r.data.announcements?.[0]?.prefixes[0] : null))).toEqual([
      '173.82.228.0/24',
      '173.82.229.0/24',
    ]);
    expect(h.client.stats()).toMatchObject({ connected: true, messages: 2, malformed: 0, reconnects: 0, lastEventTimeUs: 1787141896081000 });
    expect(h.states).toEqual(['connecting', 'connected']);
  });

  it('skips malformed frames interleaved with good ones and loses none of the good ones', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    const bad = [
      'not json at all',
      '{"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4"',
      '{"type":"ris_surprise","data":{}}',
      JSON.stringify({ type: 'ris_message', data: { peer: '1.2.3.4', peer_asn: '1', host: 'rrc00', type: 'UPDATE' } }),
      `{"type":"pong","data":"${'x'.repeat(100 * 1024)}"}`,
    ];
    const frames: string[] = [];
    for (let i = 0; i < 50; i++) {
      frames.push(update(1787141900 + i / 100, `10.${i}.0.0/16`));
      frames.push(bad[i % bad.length]!);
    }
    server.send(...frames);
    await waitFor('50 good messages', () => h.received.length === 50);
    await waitFor('50 malformed', () => h.malformed.length === 50);
    expect(h.received.map((r) => (r.data.type === 'UPDATE' ? r.data.announcements?.[0]?.prefixes[0] : null))).toEqual(
      Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`),
    );
    const reasons = h.malformed.slice(0, 5).map((m) => m.reason);
    expect(reasons[0]).toMatch(/^invalid JSON/);
    expect(reasons[1]).toMatch(/^invalid JSON/);
    expect(reasons[2]).toBe('unknown frame type "ris_surprise"');
    expect(reasons[3]).toMatch(/^invalid data\.timestamp/);
    expect(reasons[4]).toMatch(/^frame too large/);
    expect(h.client.stats()).toMatchObject({ messages: 50, malformed: 50, connected: true, reconnects: 0 });
  });

  it('reconnects after a server-side terminate, resubscribes and reports exactly one gap', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    server.send(update(1787141896.08, '173.82.228.0/24'), update(1787141896.09, '173.82.229.0/24'));
    await waitFor('2 messages', () => h.received.length === 2);

    const killedAt = Date.now();
    server.terminateAll();
    await waitFor('resubscription', () => server.subscriptions.length === 2);
    expect(server.subscriptions[1]).toEqual({ connection: 1, data: SUBSCRIPTION });
    expect(server.requestUrls[1]).toBe('/v1/ws/?client=obs-test');
    // No gap yet: it is reported when data flows again.
    expect(h.gaps).toEqual([]);

    server.send(update(1787141899.5, '173.82.230.0/24'), update(1787141899.6, '173.82.231.0/24'));
    await waitFor('4 messages', () => h.received.length === 4);
    expect(h.gaps).toHaveLength(1);
    const gap = h.gaps[0]!;
    expect(gap.source).toBe('ris_live_bgp');
    expect(gap.lastEventBeforeUs).toBe(1787141896090000);
    expect(gap.firstEventAfterUs).toBe(1787141899500000);
    expect(gap.startedAtMs).toBeGreaterThanOrEqual(killedAt);
    expect(gap.endedAtMs).toBeGreaterThanOrEqual(gap.startedAtMs);
    expect(gap.endedAtMs).toBe(h.received[2]!.at);
    expect(gap.reason).toMatch(/connection closed \(1006/);
    expect(h.client.stats()).toMatchObject({ connected: true, reconnects: 1, messages: 4 });
    expect(h.states).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('keeps the first start of an outage across failed attempts and reconnects once the server is back', async () => {
    const first = await startServer();
    const port = Number(new URL(first.url).port);
    const h = makeClient(first, { backoff: { initialMs: 10, maxMs: 40 } });
    h.client.start();
    await waitFor('subscription', () => first.subscriptions.length === 1);
    first.send(update(1787141896.08, '173.82.228.0/24'));
    await waitFor('1 message', () => h.received.length === 1);
    const downAt = Date.now();
    await first.close();
    await waitFor('several failed attempts', () => h.client.stats().reconnects >= 3);
    const second = await startServer(port);
    await waitFor('resubscription', () => second.subscriptions.length === 1);
    second.send(update(1787141897.5, '173.82.229.0/24'));
    await waitFor('2 messages', () => h.received.length === 2);
    expect(h.gaps).toHaveLength(1);
    expect(h.gaps[0]!.startedAtMs).toBeGreaterThanOrEqual(downAt);
    expect(h.gaps[0]!.startedAtMs).toBeLessThan(downAt + 500);
    expect(h.gaps[0]!.lastEventBeforeUs).toBe(1787141896080000);
    expect(h.gaps[0]!.firstEventAfterUs).toBe(1787141897500000);
  });

  it('reports ris_error, and reconnects when the server then closes', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    server.send(update(1787141896.08, '173.82.228.0/24'));
    await waitFor('1 message', () => h.received.length === 1);
    server.send('{"type":"ris_error","data":{"message":"Slow client: disconnecting"}}');
    await waitFor('ris_error', () => h.risErrors.length === 1);
    expect(h.risErrors).toEqual(['Slow client: disconnecting']);
    server.current.close(1011, 'too slow');
    await waitFor('resubscription', () => server.subscriptions.length === 2);
    server.send(update(1787141897, '173.82.229.0/24'));
    await waitFor('gap', () => h.gaps.length === 1);
    expect(h.gaps[0]!.reason).toBe('connection closed (1011 too slow) after ris_error: Slow client: disconnecting');
  });

  it('forceReconnect drops the connection and records the reason in the gap', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    server.send(update(1787141896.08, '173.82.228.0/24'));
    await waitFor('1 message', () => h.received.length === 1);
    h.client.forceReconnect('buffer overflow');
    await waitFor('resubscription', () => server.subscriptions.length === 2);
    server.send(update(1787141897, '173.82.229.0/24'));
    await waitFor('gap', () => h.gaps.length === 1);
    expect(h.gaps[0]!.reason).toBe('forced: buffer overflow');
    expect(h.client.stats().reconnects).toBe(1);
  });

  it('pings, and closes a connection that stays silent for 3 ping intervals', async () => {
    const server = await startServer();
    const h = makeClient(server, { pingIntervalMs: 40 });
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    await waitFor('pings answered', () => server.pings.length >= 3);
    expect(server.sockets).toHaveLength(1); // pongs keep it alive
    server.answerPings = false;
    await waitFor('reconnect after silence', () => server.subscriptions.length === 2, 3000);
    server.answerPings = true;
    server.send(update(1787141897, '173.82.229.0/24'));
    await waitFor('message', () => h.received.length === 1);
    // No data before the outage, but data was possible: the gap is still recorded.
    expect(h.gaps).toHaveLength(1);
    expect(h.gaps[0]!.reason).toMatch(/^no frames for \d+ ms$/);
    expect(h.gaps[0]!.lastEventBeforeUs).toBeNull();
  });

  it('survives a throwing onMessage handler', async () => {
    const server = await startServer();
    const seen: number[] = [];
    const h = makeClient(server, {
      onMessage: (d) => {
        seen.push(d.timestamp);
        if (seen.length === 1) throw new Error('handler bug');
      },
    });
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    server.send(update(1, '10.0.0.0/8'), update(2, '11.0.0.0/8'));
    await waitFor('2 calls', () => seen.length === 2);
    expect(h.client.stats()).toMatchObject({ connected: true, messages: 2 });
  });

  it('pause() stops delivery until resume()', async () => {
    const server = await startServer();
    const h = makeClient(server);
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    h.client.pause();
    server.send(update(1, '10.0.0.0/8'), update(2, '11.0.0.0/8'));
    await new Promise((r) => setTimeout(r, 150));
    expect(h.received).toHaveLength(0);
    h.client.resume();
    await waitFor('2 messages', () => h.received.length === 2);
  });

  it('stops cleanly: closes the socket and leaves no timers or sockets behind', async () => {
    const before = process.getActiveResourcesInfo();
    const server = await startServer();
    const h = makeClient(server, { pingIntervalMs: 30 });
    h.client.start();
    await waitFor('subscription', () => server.subscriptions.length === 1);
    const serverSide = server.current;
    const closed = once(serverSide, 'close');
    await h.client.stop();
    await closed;
    expect(h.states.at(-1)).toBe('stopped');
    expect(h.client.stats().connected).toBe(false);
    await server.close();
    await new Promise((r) => setTimeout(r, 50));
    const count = (list: string[], what: string) => list.filter((x) => x === what).length;
    const after = process.getActiveResourcesInfo();
    expect(count(after, 'Timeout')).toBeLessThanOrEqual(count(before, 'Timeout'));
    expect(count(after, 'TCPSocketWrap')).toBeLessThanOrEqual(count(before, 'TCPSocketWrap'));
    // Stopping twice is harmless, and a stopped client never reconnects.
    await h.client.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.sockets).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('adds the client name only when the URL has none', () => {
    expect(withClientName('wss://ris-live.ripe.net/v1/ws/', 'obs')).toBe('wss://ris-live.ripe.net/v1/ws/?client=obs');
    expect(withClientName('wss://ris-live.ripe.net/v1/ws/?client=mine', 'obs')).toBe('wss://ris-live.ripe.net/v1/ws/?client=mine');
    expect(withClientName('ws://127.0.0.1:9/x?a=1', 'obs')).toBe('ws://127.0.0.1:9/x?a=1&client=obs');
  });

  it('grows the backoff exponentially up to the cap, jittered downwards', () => {
    const b = { initialMs: 1000, maxMs: 60_000 };
    expect([0, 1, 2, 5, 6, 20].map((a) => backoffDelayMs(b, a, () => 0))).toEqual([1000, 2000, 4000, 32000, 60000, 60000]);
    expect(backoffDelayMs(b, 3, () => 0.5)).toBe(4000);
    expect(backoffDelayMs({ ...b, jitter: 0 }, 3, () => 0.99)).toBe(8000);
    expect(backoffDelayMs({ ...b, factor: 3, jitter: 0.2 }, 2, () => 0.5)).toBe(8100);
  });
});
