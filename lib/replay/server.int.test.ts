import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { generateDemoStream } from '@/lib/demo/generator';
import { startReplayServer, type ReplayServer, type ReplayServerOptions } from '@/lib/replay/server';

const silent = pino({ level: 'silent' });
const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures/ris-live');

type Frame = { type: string; data: any };

interface TestClient {
  ws: WebSocket;
  frames: Frame[];
  messages: () => any[];
  messageCount: () => number;
  send: (type: string, data: unknown) => void;
  waitFor: (pred: (frames: Frame[]) => boolean, timeoutMs?: number) => Promise<void>;
  closed: Promise<number>;
}

async function connect(url: string): Promise<TestClient> {
  const ws = new WebSocket(`${url}?client=test`);
  const frames: Frame[] = [];
  const messages: any[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as Frame;
    frames.push(frame);
    if (frame.type === 'ris_message') messages.push(frame.data);
    for (const l of listeners) l();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    messages: () => messages,
    messageCount: () => messages.length,
    send: (type, data) => ws.send(JSON.stringify({ type, data })),
    waitFor: (pred, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (pred(frames)) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out; got ${frames.length} frames: ${JSON.stringify(frames.slice(-3)).slice(0, 400)}`));
        }, timeoutMs);
        const check = () => {
          if (pred(frames)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
      }),
    closed,
  };
}

function update(i: number, opts: { host?: string; ts?: number; prefix?: string; path?: number[]; raw?: boolean } = {}): string {
  const data: Record<string, unknown> = {
    timestamp: opts.ts ?? 1_787_141_896 + i / 1000,
    peer: '37.49.237.143',
    peer_asn: '50628',
    id: `37.49.237.143-${(0x01a019f537900000n + BigInt(i)).toString(16).padStart(16, '0')}`,
    host: `${opts.host ?? 'rrc21'}.ripe.net`,
    type: 'UPDATE',
    path: opts.path ?? [50628, 6453, 16509],
    community: [],
    origin: 'IGP',
    announcements: [{ next_hop: '37.49.237.143', prefixes: [opts.prefix ?? `10.${i % 256}.0.0/16`] }],
    withdrawals: [],
  };
  if (opts.raw) data.raw = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0017020000';
  return JSON.stringify({ type: 'ris_message', data });
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let servers: ReplayServer[] = [];
let clients: TestClient[] = [];
let tmpDir: string | null = null;

async function start(opts: Partial<ReplayServerOptions> & Pick<ReplayServerOptions, 'source'>): Promise<ReplayServer> {
  const s = await startReplayServer({ speed: 'max', logger: silent, ...opts });
  servers.push(s);
  return s;
}

async function client(url: string): Promise<TestClient> {
  const c = await connect(url);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  for (const s of servers) await s.close();
  servers = [];
  clients = [];
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
  tmpDir = null;
});

describe('replay server', () => {
  it('sends only what matches the subscription, after an acknowledgement', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => update(i, { host: i % 2 === 0 ? 'rrc21' : 'rrc00' }));
    const server = await start({ source: { lines } });
    const c = await client(server.url);
    c.send('ris_subscribe', { host: 'rrc21', type: 'UPDATE', socketOptions: { acknowledge: true } });
    await c.waitFor(() => c.messages().length === 100);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.frames[0]).toEqual({
      type: 'ris_subscribe_ok',
      data: { subscription: { host: 'rrc21', type: 'UPDATE' }, socketOptions: { includeRaw: false, acknowledge: true } },
    });
    expect(c.messages()).toHaveLength(100);
    expect(c.messages().every((m) => m.host === 'rrc21.ripe.net')).toBe(true);
    expect(server.stats()).toMatchObject({ played: 200, sent: 100, malformedInput: 0, finished: true });
  });

  it('filters by prefix (more specific by default) and path pattern, OR-ing subscriptions', async () => {
    const lines = [
      update(0, { prefix: '193.0.0.0/16' }),
      update(1, { prefix: '193.0.10.0/24' }),
      update(2, { prefix: '193.0.0.0/8' }),
      update(3, { prefix: '8.8.8.0/24', path: [1, 2, 15169] }),
      update(4, { prefix: '9.9.9.0/24' }),
    ];
    const server = await start({ source: { lines } });
    const c = await client(server.url);
    c.send('ris_subscribe', { prefix: '193.0.0.0/16' });
    c.send('ris_subscribe', { path: '15169$' });
    await c.waitFor(() => c.messages().length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.messages().map((m) => m.announcements[0].prefixes[0])).toEqual(['193.0.0.0/16', '193.0.10.0/24', '8.8.8.0/24']);
  });

  it('answers ping, request_rrc_list, and bad requests with ris_error', async () => {
    const server = await start({ source: { lines: [] } });
    const c = await client(server.url);
    c.send('ping', null);
    c.send('request_rrc_list', null);
    c.send('ris_subscribe', { path: 'abc' });
    c.send('ris_subscribe', { prefx: '10.0.0.0/8' });
    c.send('ris_subscribe', { prefix: '10.0.0.1/8' });
    c.send('ris_unsubscribe', { host: 'rrc99' });
    c.send('bogus', null);
    c.ws.send('not json');
    await c.waitFor((f) => f.length >= 8);
    expect(c.frames[0]).toEqual({ type: 'pong', data: null });
    expect(c.frames[1]!.type).toBe('ris_rrc_list');
    expect(c.frames[1]!.data).toContain('rrc21');
    const errors = c.frames.slice(2).map((f) => [f.type, f.data.message]);
    expect(errors.every(([t]) => t === 'ris_error')).toBe(true);
    expect(errors[0]![1]).toMatch(/path/);
    expect(errors[1]![1]).toMatch(/prefx|unrecognized/i);
    expect(errors[2]![1]).toMatch(/prefix/);
    expect(errors[3]![1]).toMatch(/subscription not found/);
    expect(errors[4]![1]).toMatch(/unknown message type/);
    expect(errors[5]![1]).toMatch(/invalid JSON/);
  });

  it('strips raw unless includeRaw is asked for', async () => {
    // Two messages 300 ms apart: the second reaches both clients whoever subscribed first.
    const lines = [update(0, { raw: true, ts: 1_787_141_896 }), update(1, { raw: true, ts: 1_787_141_896.3 })];
    const server = await start({ source: { lines }, speed: 1 });
    const a = await client(server.url);
    const b = await client(server.url);
    b.send('ris_subscribe', { socketOptions: { includeRaw: true } });
    a.send('ris_subscribe', {});
    await a.waitFor(() => a.messageCount() >= 1 && a.messages().at(-1).id.endsWith('1'));
    await b.waitFor(() => b.messageCount() === 2);
    expect(a.messages().every((m) => m.raw === undefined)).toBe(true);
    expect(b.messages().every((m) => /^F{32}/.test(m.raw))).toBe(true);
  });

  it("speed 'max' streams a file of N lines to the client completely and in order; bad lines are counted", async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'replay-test-'));
    const file = path.join(tmpDir, 'demo.ndjson');
    const lines = [...generateDemoStream({ seed: 3, baselineMinutes: 3, incidentMinutes: 1, prefixCount: 500, peerCount: 20, messagesPerSecond: 60 })];
    const n = lines.length;
    const withNoise = [...lines.slice(0, 10), 'not json', '{"type":"ris_message"}', 'x'.repeat(5000), '{"type":"pong","data":null}', ...lines.slice(10)];
    await writeFile(file, `${withNoise.join('\n')}\n`);
    const server = await start({ source: { file }, maxLineBytes: 4096 });
    const c = await client(server.url);
    c.send('ris_subscribe', {});
    const t0 = performance.now();
    await c.waitFor(() => c.messageCount() === n, 30_000);
    console.log(`replayed ${n} lines at max speed in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(n).toBeGreaterThan(10_000);
    expect(c.messages().map((m) => m.id)).toEqual(lines.map((l) => JSON.parse(l).data.id));
    // Verbatim forwarding keeps the 3-decimal wire form.
    expect(c.frames[0]).toEqual(JSON.parse(lines[0]!));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.stats()).toMatchObject({ malformedInput: 3, skippedInput: 1, played: n, finished: true });
  });

  it('speed 10 schedules each message at a tenth of its offset in the recording (injected clock)', async () => {
    let virtual = 1_000_000;
    const played: Array<{ timestampMs: number; atMs: number }> = [];
    const base = 1_787_141_896_000;
    const offsets = [0, 100, 100, 2_500, 2_501, 9_000, 30_000];
    const lines = offsets.map((o, i) => update(i, { ts: (base + o) / 1000 }));
    const server = await start({
      source: { lines },
      speed: 10,
      startWhen: 'immediately',
      now: () => virtual,
      sleep: async (ms) => {
        virtual += ms;
      },
      onPlayed: (e) => played.push(e),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(server.stats().finished).toBe(true);
    expect(played.map((p) => p.timestampMs - base)).toEqual(offsets);
    // Waits shorter than 1 ms are not slept (timer resolution), so allow that much.
    played.forEach((p, i) => expect(Math.abs(p.atMs - 1_000_000 - offsets[i]! / 10)).toBeLessThan(1));
  });

  it('speed 10 takes about a tenth of the span in real time', async () => {
    const base = 1_787_141_896_000;
    const lines = Array.from({ length: 21 }, (_, i) => update(i, { ts: (base + i * 100) / 1000 })); // span 2 s
    const server = await start({ source: { lines }, speed: 10 });
    const c = await client(server.url);
    const t0 = performance.now();
    c.send('ris_subscribe', {});
    await c.waitFor(() => c.messages().length === 21);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThan(100); // expected 200 ms
    expect(elapsed).toBeLessThan(1000); // loose: the machine may be busy; the exact schedule is tested above
  });

  it('dropClients() cuts connected sockets; a reconnecting client misses what was played meanwhile', async () => {
    const base = 1_787_141_896_000;
    const lines = Array.from({ length: 40 }, (_, i) => update(i, { ts: (base + i * 50) / 1000 })); // 2 s at 1x
    const server = await start({ source: { lines }, speed: 1 });
    const c = await client(server.url);
    c.send('ris_subscribe', {});
    await c.waitFor(() => c.messages().length >= 5);
    server.dropClients();
    expect(await c.closed).toBe(1006);
    await new Promise((r) => setTimeout(r, 300));
    const again = await client(server.url);
    again.send('ris_subscribe', {});
    await again.waitFor(() => again.messages().length > 0);
    const firstAfter = again.messages()[0].id as string;
    const lastBefore = c.messages().at(-1).id as string;
    expect(BigInt(`0x${firstAfter.split('-')[1]}`) - BigInt(`0x${lastBefore.split('-')[1]}`)).toBeGreaterThan(2n);
    expect(server.stats().clients).toBe(1);
  });

  it('retime + loop never repeats an event time or an id', async () => {
    const base = 1_500_000_000_000;
    const lines = [0, 400, 400, 1000].map((o, i) => update(i, { ts: (base + o) / 1000 }));
    const server = await start({ source: { lines }, loop: true, retime: true });
    const c = await client(server.url);
    const before = Date.now();
    c.send('ris_subscribe', {});
    await c.waitFor(() => c.messages().length >= 16);
    await server.close();
    const msgs = c.messages().slice(0, 16);
    const times = msgs.map((m) => Math.round(m.timestamp * 1000));
    expect(times[0]).toBeGreaterThanOrEqual(before);
    for (let pass = 1; pass < 4; pass++) {
      // Every time of a pass is above every time of the previous pass.
      expect(Math.min(...times.slice(pass * 4, pass * 4 + 4))).toBeGreaterThan(Math.max(...times.slice(0, pass * 4)));
      // Within a pass the recording's own spacing is kept.
      expect(times.slice(pass * 4, pass * 4 + 4).map((t) => t - times[pass * 4]!)).toEqual([0, 400, 400, 1000]);
    }
    expect(new Set(msgs.map((m) => m.id)).size).toBe(16);
    expect(msgs.every((m) => /^37\.49\.237\.143-[0-9a-f]{16}$/.test(m.id))).toBe(true);
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const server = await start({ source: { lines: [] } });
    const bad = new WebSocket(server.url.replace('/v1/ws/', '/other'));
    const err = await new Promise<Error>((resolve) => bad.once('error', resolve));
    expect(err.message).toMatch(/404/);
  });

  it('drops a client that cannot keep up at a finite speed, with a final ris_error', async () => {
    const big = 'A'.repeat(60_000);
    const lines = Array.from({ length: 400 }, (_, i) => {
      const l = JSON.parse(update(i, { ts: 1_787_141_896 + i / 1000 }));
      l.data.raw = big;
      return JSON.stringify(l);
    });
    const server = await start({ source: { lines }, speed: 1000, slowClientBytes: 2 * 1024 * 1024 });
    const c = await client(server.url);
    c.send('ris_subscribe', { socketOptions: { includeRaw: true } });
    // Stop reading: the kernel buffers fill and the server's send buffer grows.
    await c.waitFor(() => c.messages().length > 0);
    (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    await until(() => server.stats().droppedSlowClients === 1, 10_000);
    (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await c.closed;
    expect(c.frames.at(-1)).toEqual({ type: 'ris_error', data: { message: 'client is too slow: dropping connection' } });
  });

  describe.skipIf(!existsSync(fixtures))('real RIS Live captures (../shared/fixtures/ris-live)', () => {
    it('replays every message type, skips recorded server frames, counts the truncated line', async () => {
      const server = await start({ source: { file: path.join(fixtures, 'libbgpstream-ris-live-stream.ndjson') } });
      const c = await client(server.url);
      c.send('ris_subscribe', { socketOptions: { includeRaw: true } });
      await c.waitFor(() => c.messageCount() === 5);
      expect(c.messages().map((m) => m.type)).toEqual(['UPDATE', 'RIS_PEER_STATE', 'OPEN', 'NOTIFICATION', 'KEEPALIVE']);
      await new Promise((r) => setTimeout(r, 50));
      expect(server.stats()).toMatchObject({ played: 5, malformedInput: 1, skippedInput: 1, finished: true });
    });

    it('serves the 2019 firehose slice filtered by type, without raw', async () => {
      const server = await start({ source: { file: path.join(fixtures, 'morrowc-rislive-1k-msgs.ndjson') } });
      const c = await client(server.url);
      c.send('ris_subscribe', { type: 'UPDATE', host: 'rrc00' });
      await until(() => server.stats().finished);
      await new Promise((r) => setTimeout(r, 100));
      const msgs = c.messages();
      expect(msgs.length).toBeGreaterThan(600); // rrc00 sent 713 of the 1,000, a few are KEEPALIVEs
      expect(msgs.every((m) => m.type === 'UPDATE' && m.host === 'rrc00' && m.raw === undefined)).toBe(true);
    });
  });
});
