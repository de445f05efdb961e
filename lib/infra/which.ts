// Locates system executables (setpriv, redis-server, useradd, apt-get) in the standard
// directories, without a shell and without depending on the caller's PATH.

import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function which(command: string, dirs: readonly string[] = SYSTEM_DIRS): string | null {
  if (command.includes('/')) return isExecutable(command) ? command : null;
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
