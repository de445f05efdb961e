// PostgreSQL's initdb and postgres refuse to run as root. When we are root we run them as an
// unprivileged account: Debian's `postgres` user when it exists, else a system user we create.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
}

const FALLBACK_USER = 'bgpobs';

export function lookupUser(name: string, passwdText?: string): UnixUser | null {
  const text = passwdText ?? readPasswd();
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return null;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/**
 * null when we are not root (services then run as ourselves). As root: an existing `postgres`
 * account, else `bgpobs`, created on first use.
 */
export function resolveServiceUser(): UnixUser | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const existing = lookupUser('postgres') ?? lookupUser(FALLBACK_USER);
  if (existing) return existing;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER], {
    encoding: 'utf8',
  });
  const created = lookupUser(FALLBACK_USER);
  if (!created) {
    throw new Error(
      `running as root and no unprivileged user exists for PostgreSQL; creating "${FALLBACK_USER}" failed: ` +
        `${(r.stderr || r.error?.message || 'unknown error').trim()}. Run: useradd --system ${FALLBACK_USER}`,
    );
  }
  return created;
}
