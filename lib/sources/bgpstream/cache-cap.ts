// Size cap of the download cache (BACKFILL_CACHE_DIR): least recently used complete files go
// first. "Used" is the file's mtime: downloadToCache sets it on every cache hit (atime is not
// reliable under relatime/noatime mounts). Part files of downloads in progress are counted but
// never removed here; a reader that still has a removed file open keeps reading it (POSIX unlink).

import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface CacheTrimResult {
  /** Bytes in the cache before and after. */
  bytesBefore: number;
  bytesAfter: number;
  removed: string[];
}

interface Entry {
  path: string;
  bytes: number;
  usedMs: number;
  part: boolean;
}

/**
 * Removes the least recently used complete files until the cache holds at most `maxBytes`.
 * `keep` (paths) are never removed: the file being processed. A directory that does not exist
 * is an empty cache.
 */
export async function trimDownloadCache(cacheDir: string, maxBytes: number, keep: readonly string[] = []): Promise<CacheTrimResult> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { bytesBefore: 0, bytesAfter: 0, removed: [] };
    throw err;
  }
  const kept = new Set(keep.map((k) => path.resolve(k)));
  const entries: Entry[] = [];
  for (const name of names) {
    const p = path.join(cacheDir, name);
    // Gone meanwhile (another worker trimmed it): nothing to count.
    const s = await stat(p).catch(() => null);
    if (!s?.isFile()) continue;
    entries.push({ path: p, bytes: s.size, usedMs: s.mtimeMs, part: name.includes('.part-') });
  }
  const bytesBefore = entries.reduce((sum, e) => sum + e.bytes, 0);
  let bytes = bytesBefore;
  const removed: string[] = [];
  const candidates = entries.filter((e) => !e.part && !kept.has(path.resolve(e.path))).sort((a, b) => a.usedMs - b.usedMs);
  for (const e of candidates) {
    if (bytes <= maxBytes) break;
    try {
      await unlink(e.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    bytes -= e.bytes;
    removed.push(e.path);
  }
  return { bytesBefore, bytesAfter: bytes, removed };
}
