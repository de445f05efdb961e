import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { encodeErrorReport } from '@/lib/rpki/rtr/pdu';
import { RtrClient, type RtrTimers } from '@/lib/rpki/rtr/client';
import type { EndOfDataResult } from '@/lib/rpki/rtr/session';
import { vrpKey } from '@/lib/rpki/rtr/session';
import { createStayrtr, stayrtrPath, type StayrtrHarness } from '@/lib/rpki/rtr/stayrtr-harness';
import { syntheticVrps } from '@/lib/rpki/synthetic';
import type { Vrp } from '@/lib/rpki/types';
import { findFreePort } from '@/lib/infra/free-port';

const logger = pino({ level: 'silent' });

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function uniqueVrps(n: number, seed: number): Vrp[] {
  const seen = new Map<string, Vrp>();
  for (const v of syntheticVrps(n, seed)) seen.set(vrpKey(v), v);
  return [...seen.values()];
}

const keys = (vrps: readonly Vrp[]) => vrps.map(vrpKey).sort();

const clients: RtrClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

describe.skipIf(!stayrtrPath())('RtrClient against stayrtr', () => {
  let server: StayrtrHarness | null = null;
  afterAll(async () => server?.dispose());

  it('loads the full set, follows edits by serial, survives kill and restart', async () => {
    server = await createStayrtr();
    const initial = uniqueVrps(3000, 11);
    server.writeVrps(initial);
    await server.start();
    const updates: EndOfDataResult[] = [];
    const client = new RtrClient({ host: '127.0.0.1', port: server.port, logger, minBackoffMs: 100, maxBackoffMs: 500, onData: (info) => updates.push(info) });
    clients.push(client);
    client.start();
    await until('the full set', () => client.status().vrpCount === initial.length);
    expect(keys(client.currentSet().vrps)).toEqual(keys(initial));
    expect(updates[0]).toMatchObject({ reset: true, announced: initial.length });
    expect(client.status()).toMatchObject({ connected: true, stale: false, version: 1 });

    // Edit the file: 50 removed, 40 added. stayrtr re-reads it, bumps its serial, notifies us.
    const edited = [...initial.slice(50), ...uniqueVrps(40, 12).filter((v) => !initial.some((x) => vrpKey(x) === vrpKey(v)))];
    const serialBefore = client.status().serial!;
    server.writeVrps(edited);
    await until('the edited set', () => keys(client.currentSet().vrps).join() === keys(edited).join());
    const delta = updates.find((u) => !u.reset && u.serial !== serialBefore && (u.announced > 0 || u.withdrawn > 0));
    expect(delta).toMatchObject({ reset: false, withdrawn: 50, announced: edited.length - (initial.length - 50) });
    expect(client.status().serial).not.toBe(serialBefore);

    // Kill the cache: the set stays, the status says stale.
    await server.kill();
    await until('stale', () => client.status().stale && !client.status().connected);
    expect(client.status().vrpCount).toBe(edited.length);
    expect(client.status().lastError).toBeTruthy();

    // Restart with a changed file: the client reconnects and resynchronises.
    const afterRestart = edited.slice(0, 2000);
    server.writeVrps(afterRestart);
    await server.start();
    await until('resynchronised after restart', () => !client.status().stale && keys(client.currentSet().vrps).join() === keys(afterRestart).join(), 30_000);
    expect(client.status().reconnects).toBeGreaterThan(0);
  });
});

describe.skipIf(!stayrtrPath())('RtrClient version 2 (ASPA, experimental) against stayrtr -protocol 2', () => {
  it('receives ASPA records with the VRPs', async () => {
    const server = await createStayrtr({ protocol: 2 });
    try {
      server.writeVrps([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 15562 }], [{ customerAsn: 15562, providers: [2914, 8283, 51088, 206238] }]);
      await server.start();
      const client = new RtrClient({ host: '127.0.0.1', port: server.port, version: 2, logger, minBackoffMs: 100 });
      clients.push(client);
      client.start();
      await until('VRPs and ASPAs', () => client.status().vrpCount === 1 && client.status().aspaCount === 1);
      expect(client.currentSet().aspas).toEqual([{ customerAsn: 15562, providers: [2914, 8283, 51088, 206238] }]);
      expect(client.status().version).toBe(2);
    } finally {
      await server.dispose();
    }
  });
});

/** A scripted fake cache: each connection gets the next script entry's bytes. */
async function fakeCache(scripts: ((socket: net.Socket, query: Buffer) => void)[]): Promise<{ port: number; close: () => Promise<void>; connections: () => number }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const script = scripts[Math.min(n++, scripts.length - 1)]!;
    socket.once('data', (q) => script(socket, q));
  });
  const port = await findFreePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const GOOD_SESSION = Buffer.concat([
  hex('01 03 0007 00000008'),
  hex('01 04 0000 00000014 01 18 18 00 01000000 00003417'),
  hex('01 07 0007 00000018 00000001 00000e10 00000258 00001c20'),
]);

describe('RtrClient against a misbehaving cache', () => {
  it('keeps the previous set through garbage and an Error Report, reconnecting', async () => {
    const cache = await fakeCache([
      (s) => s.end(GOOD_SESSION),
      (s) => s.write(Buffer.from('\x01\x03garbage garbage garbage')),
      (s) => s.write(encodeErrorReport(1, 2, null, 'No data available')),
      (s) => s.write(hex('01 08 0000 00000008')), // Cache Reset, then nothing more
    ]);
    const client = new RtrClient({ host: '127.0.0.1', port: cache.port, logger, minBackoffMs: 50, maxBackoffMs: 100 });
    clients.push(client);
    client.start();
    await until('the first set', () => client.status().vrpCount === 1);
    expect(client.currentSet().vrps).toEqual([{ prefix: '1.0.0.0/24', maxLength: 24, asn: 13335 }]);
    // Drop the good connection: the next ones misbehave.
    await until('reconnected past the bad caches', () => cache.connections() >= 4, 10_000);
    await until('garbage and an Error Report seen', () => client.status().protocolErrors >= 1 && client.status().errorReports >= 1);
    expect(client.status().vrpCount).toBe(1);
    expect(client.currentSet().vrps).toEqual([{ prefix: '1.0.0.0/24', maxLength: 24, asn: 13335 }]);
    expect(client.status().lastError).toBeTruthy();
    await cache.close();
  });

  it('a Prefix PDU longer than its maxLength: reported to the cache as an Error Report and skipped with its transfer; the previous set stays', async () => {
    const fromCache: Buffer[] = [];
    const cache = await fakeCache([
      (s) => s.end(GOOD_SESSION),
      (s, q) => {
        fromCache.push(q);
        s.on('data', (b: Buffer) => fromCache.push(b));
        // A delta whose second Prefix PDU is a /25 with maxLength 24, then End of Data serial 2.
        s.write(Buffer.concat([hex('01 03 0007 00000008'), hex('01 04 0000 00000014 01 18 18 00 02000000 00000001'), hex('01 04 0000 00000014 01 19 18 00 03000000 00000002'), hex('01 07 0007 00000018 00000002 00000e10 00000258 00001c20')]));
      },
      () => undefined, // later connections: silence
    ]);
    const client = new RtrClient({ host: '127.0.0.1', port: cache.port, logger, minBackoffMs: 50, maxBackoffMs: 100 });
    clients.push(client);
    client.start();
    await until('the first set', () => client.status().serial === 1);
    await until('the bad delta rejected', () => client.status().protocolErrors >= 1);
    await until('our Error Report reached the cache', () => fromCache.some((b) => b.length >= 8 && b.readUInt8(1) === 10));
    const report = fromCache.find((b) => b.readUInt8(1) === 10)!;
    expect(report.readUInt16BE(2)).toBe(0); // Corrupt Data
    expect(client.status().lastError).toMatch(/protocol error: .*maxLength 24/);
    // Neither the bad PDU nor the good one of the same transfer was applied.
    expect(client.currentSet().vrps).toEqual([{ prefix: '1.0.0.0/24', maxLength: 24, asn: 13335 }]);
    expect(client.status().serial).toBe(1);
    await cache.close();
  });

  it('falls back to version 0 on Unsupported Version', async () => {
    const v0Session = Buffer.concat([hex('00 03 0009 00000008'), hex('00 04 0000 00000014 01 10 18 00 0a000000 00000001'), hex('00 07 0009 0000000c 00000003')]);
    const seenVersions: number[] = [];
    const cache = await fakeCache([
      (s, q) => {
        seenVersions.push(q.readUInt8(0));
        s.write(encodeErrorReport(0, 4, q, 'Unsupported Protocol Version'));
      },
      (s, q) => {
        seenVersions.push(q.readUInt8(0));
        s.write(v0Session);
      },
    ]);
    const client = new RtrClient({ host: '127.0.0.1', port: cache.port, logger, minBackoffMs: 50 });
    clients.push(client);
    client.start();
    await until('the v0 set', () => client.status().vrpCount === 1);
    expect(seenVersions).toEqual([1, 0]);
    expect(client.status()).toMatchObject({ version: 0, serial: 3, sessionId: 9 });
    expect(client.currentSet().vrps).toEqual([{ prefix: '10.0.0.0/16', maxLength: 24, asn: 1 }]);
    await cache.close();
  });
});

describe.skipIf(!stayrtrPath())('RTR timers from End of Data, against stayrtr', () => {
  it('refresh: Serial Queries every Refresh interval, answered without changes', async () => {
    const server = await createStayrtr({ rtrRefreshS: 1, rtrRetryS: 1, rtrExpireS: 600 });
    try {
      server.writeVrps([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 }]);
      await server.start();
      const updates: EndOfDataResult[] = [];
      const client = new RtrClient({ host: '127.0.0.1', port: server.port, logger, onData: (info) => updates.push(info) });
      clients.push(client);
      client.start();
      await until('the first set', () => client.status().vrpCount === 1);
      expect(client.intervals).toEqual({ refreshS: 1, retryS: 1, expireS: 600 });
      // No Serial Notify comes (the file does not change): only the refresh timer asks again.
      await until('two refreshes', () => updates.filter((u) => !u.reset).length >= 2, 10_000);
      expect(updates.filter((u) => !u.reset).every((u) => u.announced === 0 && u.withdrawn === 0 && u.serial === updates[0]!.serial)).toBe(true);
      expect(client.status()).toMatchObject({ stale: false, expired: false, reconnects: 0 });
    } finally {
      await server.dispose();
    }
  });

  it('retry: the Retry interval bounds the reconnect delay after the cache dies (here 1 s, not the 30 s backoff)', async () => {
    const server = await createStayrtr({ rtrRefreshS: 60, rtrRetryS: 1, rtrExpireS: 600 });
    try {
      server.writeVrps([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 }]);
      await server.start();
      const client = new RtrClient({ host: '127.0.0.1', port: server.port, logger, minBackoffMs: 30_000, maxBackoffMs: 60_000 });
      clients.push(client);
      client.start();
      await until('the first set', () => client.status().vrpCount === 1);
      expect(client.intervals.retryS).toBe(1);
      await server.kill();
      await until('stale', () => client.status().stale);
      await server.start();
      // With the 30 s backoff alone this would take 30 s; the cache's 1 s Retry interval caps it.
      await until('reconnected', () => client.status().connected && !client.status().stale, 10_000);
      expect(client.status().reconnects).toBeGreaterThan(0);
      expect(client.status().vrpCount).toBe(1);
    } finally {
      await server.dispose();
    }
  });
});

/** A manual clock for the RTR timers: minutes-long intervals without minutes of waiting. */
class ManualTimers implements RtrTimers {
  nowMs = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  set(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.nowMs + ms, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  /** Delays (ms from now) of the pending timers, ascending. */
  pending(): number[] {
    return this.queue.map((t) => t.at - this.nowMs).sort((a, b) => a - b);
  }
  /** Moves the clock forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = this.queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.clear(due.id);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = end;
  }
}

describe('RTR timers against a cache that stops answering (manual clock)', () => {
  it('refresh sends a Serial Query; unanswered for Retry it reconnects; past Expire the data is kept but expired and stale; an answer clears it', async () => {
    const clock = new ManualTimers();
    // Refresh 60 s, Retry 30 s, Expire 900 s (the RFC minimum is 600).
    const eod = (serial: number) => hex(`01 07 0007 00000018 ${serial.toString(16).padStart(8, '0')} 0000003c 0000001e 00000384`);
    const received: { conn: number; type: number; serial: number | null; session: number }[] = [];
    let answerSerials = false;
    let conns = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      const conn = ++conns;
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      socket.on('data', (buf: Buffer) => {
        for (let off = 0; off + 8 <= buf.length; off += buf.readUInt32BE(off + 4)) {
          const type = buf.readUInt8(off + 1);
          received.push({ conn, type, serial: type === 1 ? buf.readUInt32BE(off + 8) : null, session: buf.readUInt16BE(off + 2) });
          if (type === 2) socket.write(Buffer.concat([hex('01 03 0007 00000008'), hex('01 04 0000 00000014 01 18 18 00 01000000 00003417'), eod(1)]));
          else if (type === 1 && answerSerials) socket.write(Buffer.concat([hex('01 03 0007 00000008'), eod(2)]));
          // Otherwise: silence (the cache hangs).
        }
      });
    });
    const port = await findFreePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const client = new RtrClient({ host: '127.0.0.1', port, logger, timers: clock, now: () => clock.nowMs, minBackoffMs: 5_000, maxBackoffMs: 60_000 });
    clients.push(client);
    try {
      client.start();
      await until('the first set', () => client.status().vrpCount === 1);
      expect(client.intervals).toEqual({ refreshS: 60, retryS: 30, expireS: 900 });
      expect(clock.pending()).toEqual([60_000, 900_000]);

      // Refresh: a Serial Query for our session and serial, on the same connection.
      clock.advance(60_000);
      await until('the Serial Query', () => received.some((r) => r.type === 1));
      expect(received.at(-1)).toEqual({ conn: 1, type: 1, serial: 1, session: 7 });
      expect(client.status()).toMatchObject({ connected: true, stale: false });

      // No answer within Retry: the session is dropped, the data kept, a reconnect scheduled.
      clock.advance(30_000);
      expect(client.status()).toMatchObject({ connected: false, stale: true, expired: false, vrpCount: 1 });
      expect(client.status().lastError).toMatch(/no answer .* retry interval \(30 s\)/);
      clock.advance(5_000);
      await until('a second connection asking by serial', () => received.some((r) => r.conn === 2 && r.type === 1));

      // Still no successful refresh when Expire (900 s after the last End of Data) passes.
      clock.advance(900_000 - clock.nowMs - 1);
      expect(client.status().expired).toBe(false);
      clock.advance(1);
      expect(client.status()).toMatchObject({ expired: true, stale: true, vrpCount: 1 });
      expect(client.status().lastError).toMatch(/expire interval \(900 s\)/);
      expect(client.currentSet().vrps).toEqual([{ prefix: '1.0.0.0/24', maxLength: 24, asn: 13335 }]);

      // The cache answers again: the next attempt succeeds and the data is fresh.
      answerSerials = true;
      for (let i = 0; i < 40 && client.status().stale; i++) {
        clock.advance(10_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(client.status()).toMatchObject({ stale: false, expired: false, serial: 2, vrpCount: 1 });
    } finally {
      await client.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
