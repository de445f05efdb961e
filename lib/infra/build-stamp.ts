// Decides whether `next build` output is current: a hash of the contents of every file the
// build reads (sources, public assets, configs, the lockfile), kept next to the build output.
// Content, not mtimes: `npm ci` or a fresh clone touches every file without changing them.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INPUT_DIRS = ['app', 'components', 'lib', 'public'];
const INPUT_FILES = ['next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package-lock.json', 'package.json'];
/** Tests, docs and the images prebuild copies itself do not change the build. */
const IGNORED = [/\.test\.tsx?$/, /\.spec\.tsx?$/, /README\.md$/, /^public\/earth\/.*\.(jpg|png)$/];

export const STAMP_FILE = path.join('.next', 'bgp-observatory-build-stamp');

export function computeBuildHash(repoRoot: string): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const dir of INPUT_DIRS) walk(repoRoot, dir, files);
  for (const file of INPUT_FILES) if (existsSync(path.join(repoRoot, file))) files.push(file);
  files.sort();
  for (const rel of files) {
    hash.update(rel);
    hash.update('\0');
    hash.update(readFileSync(path.join(repoRoot, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function walk(root: string, rel: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(path.join(root, rel));
  } catch {
    return;
  }
  for (const name of entries) {
    const child = path.posix.join(rel, name);
    const stat = statSync(path.join(root, child));
    if (stat.isDirectory()) walk(root, child, out);
    else if (stat.isFile() && !IGNORED.some((re) => re.test(child))) out.push(child);
  }
}

/** null when the build is current, else why it must run. */
export function buildNeeded(repoRoot: string, currentHash: string): string | null {
  if (!existsSync(path.join(repoRoot, '.next', 'BUILD_ID'))) return 'no previous build';
  let previous = '';
  try {
    previous = readFileSync(path.join(repoRoot, STAMP_FILE), 'utf8').trim();
  } catch {
    return 'previous build has no stamp';
  }
  return previous === currentHash ? null : 'sources changed since the last build';
}

export function writeBuildStamp(repoRoot: string, hash: string): void {
  writeFileSync(path.join(repoRoot, STAMP_FILE), `${hash}\n`);
}
