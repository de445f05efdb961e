// Test support: Debian's stayrtr serving a VRP JSON file on 127.0.0.1 (PROTOCOLS.md §5.5). Always
// passes -cache and both bind addresses (the defaults fetch from the Internet and listen on all
// interfaces). Used by the RTR integration tests; not by production code.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@/lib/infra/free-port';
import { which } from '@/lib/infra/which';
import type { Aspa, Vrp } from '@/lib/rpki/types';

export function stayrtrPath(): string | null {
  return which('stayrtr');
}

export interface StayrtrHarness {
  port: number;
  file: string;
  /** Rewrites the served file (atomically) with a fresh buildtime; ASPAs in rpki-client 8 shape. */
  writeVrps(vrps: readonly Vrp[], aspas?: readonly Aspa[]): void;
  start(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  dispose(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`stayrtr did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** refreshS: how often stayrtr re-reads its file; rtr*S: the intervals it sends in End of Data. */
export async function createStayrtr(opts: { refreshS?: number; rtrRefreshS?: number; rtrRetryS?: number; rtrExpireS?: number; protocol?: 0 | 1 | 2 } = {}): Promise<StayrtrHarness> {
  const bin = stayrtrPath();
  if (!bin) throw new Error('stayrtr is not installed (apt-get install stayrtr)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-stayrtr-'));
  const file = path.join(dir, 'vrps.json');
  const port = await findFreePort();
  const metricsPort = await findFreePort();
  let child: ChildProcess | null = null;
  const writeVrps = (vrps: readonly Vrp[], aspas: readonly Aspa[] = []) => {
    const pa = aspas.map((a) => ({ customer_asid: a.customerAsn, providers: a.providers }));
    const doc = {
      metadata: { buildtime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      roas: vrps.map((v) => ({ prefix: v.prefix, maxLength: v.maxLength, asn: v.asn })),
      ...(aspas.length > 0 ? { provider_authorizations: { ipv4: pa, ipv6: pa } } : {}),
    };
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, file);
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  return {
    port,
    file,
    writeVrps,
    async start() {
      const args = [
        '-cache', file,
        '-bind', `127.0.0.1:${port}`,
        '-metrics.addr', `127.0.0.1:${metricsPort}`,
        '-checktime=false',
        '-refresh', String(opts.refreshS ?? 1),
        '-rtr.refresh', String(opts.rtrRefreshS ?? 2),
        ...(opts.rtrRetryS !== undefined ? ['-rtr.retry', String(opts.rtrRetryS)] : []),
        ...(opts.rtrExpireS !== undefined ? ['-rtr.expire', String(opts.rtrExpireS)] : []),
        '-protocol', String(opts.protocol ?? 1),
        '-log.verbose=false',
        '-loglevel', 'error',
      ];
      child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'ignore'] });
      await waitForPort(port, 10_000);
    },
    kill,
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
