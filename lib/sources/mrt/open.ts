// Opens an MRT source (local path or http(s) URL) as a stream of decompressed byte chunks.
// Compression is detected from the first bytes, not the file name: gzip (RIS) through zlib,
// bzip2 (RouteViews) through the system `bzip2 -dc` child process when present (several times
// faster than JS, and it runs on a second core) or else the pure-JS unbzip2-stream; anything else
// is passed through as plain MRT. Errors (missing file, HTTP status, corrupt or truncated
// compressed data) surface as a rejected promise or an error thrown by the iteration; readMrt turns
// the latter into an MrtParseError naming the offset reached.

import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';

export type Compression = 'gzip' | 'bzip2' | 'none';

export interface OpenMrtOptions {
  /** bzip2 decoder: 'auto' (system binary when found, else JS), 'child' or 'js'. */
  bzip2?: 'auto' | 'child' | 'js';
  /** Path of the bzip2 binary (default: first of /usr/bin, /bin, /usr/local/bin). */
  bzip2Path?: string;
  signal?: AbortSignal;
  /** Called once the compression is known. */
  onCompression?: (c: Compression) => void;
}

const READ_CHUNK = 1 << 20;
const BZIP2_CANDIDATES = ['/usr/bin/bzip2', '/bin/bzip2', '/usr/local/bin/bzip2'];

export function findBzip2(): string | null {
  return BZIP2_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2'; // "BZh"
  return 'none';
}

async function openRaw(src: string, signal: AbortSignal | undefined): Promise<AsyncIterable<Buffer>> {
  if (/^https?:\/\//i.test(src)) {
    const res = await fetch(src, { signal });
    if (!res.ok || !res.body) throw new Error(`GET ${src}: HTTP ${res.status} ${res.statusText}`);
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }
  const stream = createReadStream(src, { highWaterMark: READ_CHUNK, signal });
  // Surface a missing/unreadable file here, as a rejection, rather than at the first read.
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

/** Re-attaches the bytes read for detection in front of the rest of the stream. */
async function* prepend(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (const h of head) yield h;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
  }
}

async function* bzip2Child(bin: string, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const child = spawn(bin, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  // The child may stop reading (corrupt input): a write error then is expected, the exit code tells.
  child.stdin.on('error', () => undefined);
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
        if (child.exitCode !== null) break;
      }
    } finally {
      child.stdin.end();
    }
  })();
  feeding.catch(() => undefined);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await Promise.race([exited, spawnError]);
    await feeding;
    if (code !== 0) throw new Error(`bzip2 -dc failed (exit ${code}): ${stderr.trim() || 'no message'}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/**
 * Pure-JS fallback. unbzip2-stream is a classic (through) stream that decodes synchronously inside
 * write(): its output is queued here and the input is paused while the queue is long, so memory
 * stays flat.
 */
async function* bzip2Js(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const unbzip2 = createRequire(import.meta.url)('unbzip2-stream') as () => NodeJS.ReadWriteStream;
  const decoder = unbzip2();
  const queue: Buffer[] = [];
  let done = false;
  let error: unknown = null;
  let wakeReader: (() => void) | null = null;
  let wakeFeeder: (() => void) | null = null;
  const wake = (): void => {
    const r = wakeReader as (() => void) | null;
    wakeReader = null;
    r?.();
  };
  decoder.on('data', (d: Buffer) => {
    queue.push(d);
    wake();
  });
  decoder.on('end', () => {
    done = true;
    wake();
  });
  decoder.on('error', (err: unknown) => {
    error ??= err;
    wake();
  });
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        decoder.write(chunk);
        if (error !== null) return;
        while (queue.length > 8 && error === null) await new Promise<void>((r) => (wakeFeeder = r));
      }
      decoder.end();
    } catch (err) {
      error ??= err;
      wake();
    }
  })();
  for (;;) {
    const next = queue.shift();
    if (next) {
      if (queue.length <= 8) {
        const f = wakeFeeder as (() => void) | null;
        wakeFeeder = null;
        f?.();
      }
      yield next;
      continue;
    }
    if (error !== null) throw error instanceof Error ? error : new Error(String(error));
    if (done) break;
    await new Promise<void>((r) => (wakeReader = r));
  }
  await feeding;
}

/**
 * Opens `src` and returns its decompressed bytes. Rejects when the source cannot be opened
 * (missing file, HTTP error); decompression errors are thrown by the iteration.
 */
export async function openMrtSource(src: string, opts: OpenMrtOptions = {}): Promise<AsyncIterable<Buffer>> {
  const raw = await openRaw(src, opts.signal);
  const it = raw[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  while (headLen < 3) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    head.push(b);
    headLen += b.length;
  }
  const compression = detectCompression(Buffer.concat(head));
  opts.onCompression?.(compression);
  const body = prepend(head, it);
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    const input = Readable.from(body);
    input.on('error', (err) => gunzip.destroy(err));
    return input.pipe(gunzip);
  }
  if (compression === 'bzip2') {
    const mode = opts.bzip2 ?? 'auto';
    const bin = mode === 'js' ? null : (opts.bzip2Path ?? findBzip2());
    if (mode === 'child' && !bin) throw new Error('bzip2 binary not found (apt-get install bzip2)');
    return bin ? bzip2Child(bin, body) : bzip2Js(body);
  }
  return body;
}
