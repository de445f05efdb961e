// Child processes we own: each in its own process group (so Ctrl-C in the terminal reaches only
// the launcher, which then stops children in order), each told by the kernel to die with us
// (PR_SET_PDEATHSIG through util-linux `setpriv --pdeathsig`, which also drops root), and each
// recorded in a pid file so a later run can reap a stray if the kernel mechanism was unavailable.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { UnixUser } from '@/lib/infra/unix-user';
import { which } from '@/lib/infra/which';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OwnedProcessOptions {
  /** Short label for messages and pid files ("postgres", "redis", "web"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Drop from root to this user (needs setpriv). */
  runAs?: UnixUser | null;
  /** Signal the kernel sends the child when we die (default SIGTERM). */
  parentDeathSignal?: NodeJS.Signals;
  /** Where to record the pid; a later run calls reapStray(pidFile). */
  pidFile?: string;
  /** A string that identifies this child in /proc/<pid>/cmdline (a data dir, a port) for safe reaping. */
  match?: string;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Lines of output kept for error messages. */
  tailLines?: number;
  /** Share our terminal (colours, progress) instead of piping output through onLine. */
  inheritStdio?: boolean;
}

export interface OwnedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  isRunning(): boolean;
  /** The last lines of output (for error messages). */
  tail(): string[];
  /** Sends a signal to the whole group without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Signals the whole group, waits up to timeoutMs, then SIGKILLs the group. */
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitInfo>;
}

interface PidRecord {
  pid: number;
  parentPid: number;
  name: string;
  match: string | null;
}

const SETPRIV = which('setpriv');

export function spawnOwned(opts: OwnedProcessOptions): OwnedProcess {
  const { command, args } = wrapCommand(opts);
  const child: ChildProcess = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv | undefined,
    detached: true,
    stdio: opts.inheritStdio ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  const keep = opts.tailLines ?? 200;
  const lines: string[] = [];
  const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
    opts.onLine?.(line, stream);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine('stdout'));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine('stderr'));

  let running = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      running = false;
      lines.push(`spawn failed: ${err.message}`);
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const pid = child.pid ?? -1;
  if (opts.pidFile && pid > 0) writePidRecord(opts.pidFile, { pid, parentPid: process.pid, name: opts.name, match: opts.match ?? null });
  void exited.then(() => {
    if (opts.pidFile) removePidRecord(opts.pidFile, pid);
  });

  const stop = async ({ signal = 'SIGTERM' as NodeJS.Signals, timeoutMs = 10_000 } = {}): Promise<ExitInfo> => {
    if (pid <= 0) return exited;
    if (running) signalGroup(pid, signal);
    const first = await raceTimeout(exited, timeoutMs);
    if (!first) signalGroup(pid, 'SIGKILL');
    const info = await exited;
    // Grandchildren that outlived the group leader (a web server's workers) go too.
    if (await groupAlive(pid, 2_000)) signalGroup(pid, 'SIGKILL');
    return info;
  };

  return {
    name: opts.name,
    pid,
    exited,
    isRunning: () => running,
    tail: () => [...lines],
    signal: (signal) => {
      if (running && pid > 0) signalGroup(pid, signal);
    },
    stop,
  };
}

/** Runs a command to completion (initdb) with the same privilege handling; rejects on non-zero exit. */
export async function runOwned(opts: OwnedProcessOptions & { timeoutMs?: number }): Promise<string[]> {
  const proc = spawnOwned(opts);
  const info = await raceTimeout(proc.exited, opts.timeoutMs ?? 120_000);
  if (!info) {
    await proc.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
    throw new Error(`${opts.name} timed out:\n${proc.tail().slice(-20).join('\n')}`);
  }
  if (info.code !== 0) {
    throw new Error(`${opts.name} failed (exit ${info.code ?? info.signal}):\n${proc.tail().slice(-20).join('\n')}`);
  }
  return proc.tail();
}

function wrapCommand(opts: OwnedProcessOptions): { command: string; args: string[] } {
  if (!SETPRIV) {
    if (opts.runAs) {
      throw new Error(
        `${opts.name} must run as "${opts.runAs.name}" but setpriv (util-linux) is missing. Run: apt-get install -y util-linux`,
      );
    }
    return { command: opts.command, args: [...opts.args] };
  }
  const pre: string[] = ['--pdeathsig', opts.parentDeathSignal ?? 'SIGTERM'];
  if (opts.runAs) pre.push(`--reuid=${opts.runAs.uid}`, `--regid=${opts.runAs.gid}`, '--init-groups');
  return { command: SETPRIV, args: [...pre, '--', opts.command, ...opts.args] };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function groupAlive(pgid: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    if (Date.now() >= deadline) return true;
    await sleep(50);
  }
}

function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * 'alive', 'zombie' (exited, not yet reaped — counts as gone: in containers PID 1 often never
 * reaps orphans) or 'gone'. Linux /proc based.
 */
export function processState(pid: number): 'alive' | 'zombie' | 'gone' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

export function isAlive(pid: number): boolean {
  return processState(pid) === 'alive';
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function writePidRecord(file: string, record: PidRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record));
}

function removePidRecord(file: string, pid: number): void {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    if (record.pid === pid) rmSync(file, { force: true });
  } catch {
    // Missing or unreadable: nothing to clean.
  }
}

/**
 * Kills a child left by a previous run whose launcher died without taking it along (only possible
 * without setpriv, or after a SIGKILL racing the spawn). Only when the recorded parent is gone and
 * the process still looks like ours. Returns true when something was reaped.
 */
export async function reapStray(pidFile: string): Promise<boolean> {
  let record: PidRecord;
  try {
    record = JSON.parse(readFileSync(pidFile, 'utf8')) as PidRecord;
  } catch {
    return false;
  }
  rmSync(pidFile, { force: true });
  if (isAlive(record.parentPid) && record.parentPid !== process.pid) return false;
  if (!isAlive(record.pid)) return false;
  if (record.match && !readCmdline(record.pid).includes(record.match)) return false;
  signalGroup(record.pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isAlive(record.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(record.pid)) signalGroup(record.pid, 'SIGKILL');
  return true;
}
