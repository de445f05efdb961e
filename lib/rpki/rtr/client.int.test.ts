import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { encodeErrorReport } from '@/lib/rpki/rtr/pdu';
import { RtrClient } from '@/lib/rpki/rtr/client';
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
