// Shared plumbing of the real BGP speakers the router-MRT test starts (GoBGP, BIRD, ExaBGP, FRR):
// owned child processes (own process group, killed with the test process), bounded polling, and
// CLI calls with a time limit. Nothing here sleeps for a fixed time to "let things settle".

import { execFile } from 'node:child_process';
import { spawnOwned, sleep, type OwnedProcess } from '@/lib/infra/process-group';

/**
 * Starts a long-running speaker in the foreground. It dies with us (setpriv --pdeathsig) and
 * `stop()` takes its whole process group (ExaBGP's API helper included); `tail()` keeps its last
 * output lines for failure messages.
 */
export function startSpeaker(name: string, command: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): OwnedProcess {
  return spawnOwned({ name, command, args, cwd: opts.cwd, env: { ...process.env, ...opts.env }, parentDeathSignal: 'SIGKILL', tailLines: 300 });
}

/** Runs a CLI (gobgp, birdc) with a time limit; rejects with its output on failure. */
export function runCli(command: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Polls `check` until it returns a non-null value or `timeoutMs` passes; then throws with `what`
 * and the last check's detail (a value or an error message).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | null> | T | null, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== null) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(intervalMs);
  }
}
