// Installs a missing Debian package when we can (root + apt-get), else names the exact command.

import { spawnSync } from 'node:child_process';
import { which } from '@/lib/infra/which';
import { childEnv } from '@/lib/infra/child-env';

export class MissingPackageError extends Error {
  constructor(
    readonly binary: string,
    readonly installCommand: string,
  ) {
    super(`${binary} is not installed. Install it with: ${installCommand}`);
    this.name = 'MissingPackageError';
  }
}

let aptUpdated = false;

export function installCommandFor(pkg: string): string {
  return `apt-get update && apt-get install -y ${pkg}`;
}

/**
 * The path of `binary`, installing Debian package `pkg` first when it is missing and we are
 * root. Throws MissingPackageError (with the command to run) when it cannot.
 */
export function ensureDebianBinary(binary: string, pkg: string, log: (line: string) => void = () => {}): string {
  const found = which(binary);
  if (found) return found;
  const apt = which('apt-get');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!apt || !isRoot) throw new MissingPackageError(binary, installCommandFor(pkg));
  const env = childEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  if (!aptUpdated) {
    log(`${binary} missing: running apt-get update`);
    const update = spawnSync(apt, ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (update.status !== 0) throw new MissingPackageError(binary, installCommandFor(pkg));
    aptUpdated = true;
  }
  log(`installing Debian package ${pkg}`);
  const install = spawnSync(apt, ['install', '-y', '--no-install-recommends', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const after = which(binary);
  if (install.status !== 0 || !after) throw new MissingPackageError(binary, installCommandFor(pkg));
  return after;
}
