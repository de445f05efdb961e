// Per-run service directories for tests (.data/test/<label>-<pid>): runs in parallel in one
// checkout never share a database, and directories of runs that died are cleaned up later.

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isAlive, sleep } from '@/lib/infra/process-group';

const RUN_DIR = /^[a-z][a-z0-9-]*-(\d+)$/;

export function runDirFor(baseDir: string, label: string, pid = process.pid): string {
  return path.join(baseDir, `${label}-${pid}`);
}

/** Removes run directories whose owning process is gone, stopping any server still running there. */
export async function cleanStaleRunDirs(baseDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync(baseDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const owner = RUN_DIR.exec(entry)?.[1];
    if (!owner || isAlive(Number(owner))) continue;
    const dir = path.join(baseDir, entry);
    await stopPostmaster(path.join(dir, 'pg'));
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

async function stopPostmaster(dataDir: string): Promise<void> {
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
  process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
}
