// Per-run service directories for tests (.data/test/<label>-<pid>): runs in parallel in one
// checkout never share a database, and directories of runs that died are cleaned up later.

import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { stopStrayServer } from '@/lib/infra/embedded-postgres';
import { isAlive } from '@/lib/infra/process-group';

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
    await stopStrayServer(path.join(dir, 'pg'));
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
