// Downloads archive files into an on-disk cache with retry, resume and size verification.
// A file appears under its cache name only once complete (written as `<name>.part-<key>`, size
// checked against the server's length, then renamed atomically), so a partial download never
// poses as complete. A later try resumes the part file with an HTTP Range request.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, truncate, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DEFAULT_RETRY, isRetryableStatus, PermanentError, withRetry, type RetryOptions } from '@/lib/sources/bgpstream/retry';

export class DownloadError extends Error {
  override name = 'DownloadError';
}

export interface DownloadOptions {
  cacheDir: string;
  /**
   * Names the part file. Give the same key to a retry of the same job (it resumes) and different
   * keys to unrelated downloaders of one URL (they do not write into each other's part file).
   */
  partKey?: string;
  retry?: RetryOptions;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; err: unknown }) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  fromCache: boolean;
  /** Bytes taken over from an earlier partial download. */
  resumedFrom: number;
  tries: number;
}

/** `<cacheDir>/<16 hex of sha256(url)>-<file name>`: distinct URLs with one file name do not collide. */
export function cachePathFor(cacheDir: string, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
  const base = (new URL(url).pathname.split('/').pop() || 'file').replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(cacheDir, `${hash}-${base}`);
}

// Start and total size from `Content-Range: bytes a-b/total`, or the total of an unsatisfied range
// (`bytes *` + `/total`).
export function parseContentRange(header: string | null): { start: number | null; total: number | null } | null {
  if (!header) return null;
  const m = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!m) return null;
  return { start: m[1] === undefined ? null : Number(m[1]), total: m[2] === '*' || m[2] === undefined ? null : Number(m[2]) };
}

async function sizeOf(p: string): Promise<number | null> {
  try {
    return (await stat(p)).size;
  } catch {
    return null;
  }
}

export async function downloadToCache(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const finalPath = cachePathFor(opts.cacheDir, url);
  const cached = await sizeOf(finalPath);
  if (cached !== null) {
    // Marks the file as recently used for the cache's LRU cap (cache-cap.ts).
    const now = new Date();
    await utimes(finalPath, now, now).catch(() => undefined);
    return { path: finalPath, bytes: cached, fromCache: true, resumedFrom: 0, tries: 0 };
  }
  await mkdir(opts.cacheDir, { recursive: true });
  const partPath = `${finalPath}.part-${(opts.partKey ?? 'dl').replace(/[^A-Za-z0-9_-]/g, '_')}`;
  let resumedFrom = 0;
  let tries = 0;
  const bytes = await withRetry(
    async () => {
      tries++;
      const r = await fetchOnce(url, partPath, opts);
      resumedFrom = Math.max(resumedFrom, r.resumedFrom);
      return r.bytes;
    },
    { ...(opts.retry ?? DEFAULT_RETRY), signal: opts.signal, onRetry: opts.onRetry },
  );
  await rename(partPath, finalPath);
  return { path: finalPath, bytes, fromCache: false, resumedFrom, tries };
}

/** One request: appends to the part file and checks that it is complete. */
async function fetchOnce(url: string, partPath: string, opts: DownloadOptions): Promise<{ bytes: number; resumedFrom: number }> {
  const have = (await sizeOf(partPath)) ?? 0;
  const t = AbortSignal.timeout(opts.requestTimeoutMs ?? 10 * 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, t]) : t;
  let res: Response;
  try {
    res = await fetch(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, signal });
  } catch (err) {
    throw new DownloadError(`download of ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  let total: number | null;
  let resumedFrom = 0;
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get('content-range'));
    if (!cr || cr.start !== have) {
      // Not the range we asked for: start over rather than splice mismatched bytes.
      await res.body?.cancel();
      await unlink(partPath).catch(() => undefined);
      throw new DownloadError(`download of ${url}: server answered range ${res.headers.get('content-range')} for bytes=${have}-`);
    }
    total = cr.total;
    resumedFrom = have;
  } else if (res.status === 416) {
    const cr = parseContentRange(res.headers.get('content-range'));
    await res.body?.cancel();
    if (cr?.total === have) return { bytes: have, resumedFrom: have };
    await unlink(partPath).catch(() => undefined);
    throw new DownloadError(`download of ${url}: range bytes=${have}- not satisfiable (size ${cr?.total ?? 'unknown'})`);
  } else if (res.ok) {
    // A full answer (the server ignores Range, or we asked for none): start the part file afresh.
    if (have > 0) await truncate(partPath, 0);
    const len = res.headers.get('content-length');
    total = len !== null && /^\d+$/.test(len) ? Number(len) : null;
  } else {
    await res.body?.cancel();
    const msg = `download of ${url}: HTTP ${res.status}`;
    throw isRetryableStatus(res.status) ? new DownloadError(msg) : new PermanentError(msg);
  }
  if (!res.body) throw new DownloadError(`download of ${url}: empty response body`);
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(partPath, { flags: 'a' }));
  } catch (err) {
    throw new DownloadError(`download of ${url} interrupted at ${(await sizeOf(partPath)) ?? 0} bytes: ${err instanceof Error ? err.message : String(err)}`);
  }
  const got = (await sizeOf(partPath)) ?? 0;
  if (total !== null && got !== total) throw new DownloadError(`download of ${url}: got ${got} of ${total} bytes`);
  return { bytes: got, resumedFrom };
}
