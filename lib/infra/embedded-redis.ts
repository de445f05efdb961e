// A private Redis server as a child process (Debian's redis-server): 127.0.0.1 on a free port,
// no persistence (queues and feed state are rebuilt by the running system), noeviction because
// BullMQ must never lose a job silently, not daemonized so it stays our child.

import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureDebianBinary } from '@/lib/infra/debian-packages';
import { findFreePort } from '@/lib/infra/free-port';
import { sleep, spawnOwned, type OwnedProcess } from '@/lib/infra/process-group';

export interface EmbeddedRedisOptions {
  dir: string;
  /** Default: a free port. */
  port?: number;
  maxMemory?: string;
  onLog?: (line: string) => void;
  startTimeoutSec?: number;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  process: OwnedProcess;
  stop(): Promise<void>;
}

export function redisArgs(port: number, dir: string, maxMemory = '1gb'): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--maxmemory', maxMemory,
    '--maxmemory-policy', 'noeviction',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--protected-mode', 'yes',
  ];
}

export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const log = opts.onLog ?? (() => {});
  const server = ensureDebianBinary('redis-server', 'redis-server', log);
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const port = opts.port ?? (await findFreePort());
    const proc = spawnOwned({
      name: 'redis',
      command: server,
      args: redisArgs(port, dir, opts.maxMemory),
      cwd: dir,
      parentDeathSignal: 'SIGTERM',
      match: `127.0.0.1:${port}`,
      onLine: (line) => log(line),
    });
    try {
      await waitForPong(port, proc, (opts.startTimeoutSec ?? 30) * 1000);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        process: proc,
        stop: async () => {
          await proc.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
        },
      };
    } catch (err) {
      await proc.stop({ signal: 'SIGKILL', timeoutMs: 2_000 });
      lastError = err instanceof Error ? err : new Error(String(err));
      const portTaken = proc.tail().some((l) => /Address already in use|Could not create server TCP/i.test(l));
      if (!portTaken || opts.port !== undefined) break;
    }
  }
  throw lastError ?? new Error('Redis did not start');
}

async function waitForPong(port: number, proc: OwnedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.isRunning()) throw new Error(`redis-server exited during start-up:\n${proc.tail().slice(-10).join('\n')}`);
    if (await pingOnce(port)) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not answer PING within ${timeoutMs} ms:\n${proc.tail().slice(-10).join('\n')}`);
}

/** One inline-protocol PING; true on "+PONG". */
export function pingOnce(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}
