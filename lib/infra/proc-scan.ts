// Lists live processes whose command line mentions a string (a data directory, a port): how
// tests and the launcher check that nothing of ours is left running.

import { readdirSync, readFileSync } from 'node:fs';
import { processState } from '@/lib/infra/process-group';

export function findProcesses(needle: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(needle) && processState(pid) === 'alive') found.push({ pid, cmdline });
  }
  return found;
}

/** Live processes whose /proc stat matches: fields after the ")" closing the command name are state, ppid, pgrp, ... */
function liveWhere(match: (ppid: number, pgrp: number) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && fields[0] !== 'X' && match(Number(fields[1]), Number(fields[2]))) pids.push(Number(entry));
  }
  return pids;
}

/** Live members of a process group (a postgres server's backends share its group). */
export function findProcessGroup(pgid: number): number[] {
  return liveWhere((_ppid, pgrp) => pgrp === pgid);
}

/** Live direct children of a process (PostgreSQL backends put themselves in their own sessions). */
export function findChildren(ppid: number): number[] {
  return liveWhere((parent) => parent === ppid);
}
