// openMrtSource on real files: compression detected from the bytes, gzip/bzip2 (system binary and
// pure JS) giving identical records, and truncated or corrupt archives ending in MrtParseError
// after every good record. Uses temporary files and the bzip2 child process (integration).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MrtParseError, readMrt } from '@/lib/bgp/mrt/reader';
import { findBzip2, openMrtSource, type Compression } from '@/lib/sources/mrt/open';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/mrt');
const PLAIN = path.join(FIXTURES, 'mrtparse/quagga_bgp');
const haveFixtures = existsSync(PLAIN);
const bzip2 = findBzip2();
const tmp = mkdtempSync(path.join(tmpdir(), 'mrt-open-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(src: string, opts: Parameters<typeof openMrtSource>[1] = {}) {
  const offsets: number[] = [];
  let error: unknown = null;
  try {
    for await (const item of readMrt(await openMrtSource(src, opts))) offsets.push(item.record.byteOffset);
  } catch (err) {
    error = err;
  }
  return { offsets, error };
}

describe.skipIf(!haveFixtures || !bzip2)(`openMrtSource${!haveFixtures ? ' — skipped: MRT fixtures missing' : !bzip2 ? ' — skipped: bzip2 binary missing (apt-get install bzip2)' : ''}`, () => {
  const raw = haveFixtures ? readFileSync(PLAIN) : Buffer.alloc(0);
  const gz = path.join(tmp, 'a.gz');
  const bz = path.join(tmp, 'a.bz2');
  const plain = path.join(tmp, 'a.mrt');
  if (haveFixtures && bzip2) {
    writeFileSync(plain, raw);
    writeFileSync(gz, gzipSync(raw));
    writeFileSync(bz, execFileSync(bzip2, ['-c', plain]));
  }

  it('detects the compression from the bytes and decodes the same records', async () => {
    const base = await collect(plain);
    expect(base.error).toBeNull();
    expect(base.offsets.length).toBe(67);
    for (const [file, want, mode] of [
      [gz, 'gzip', undefined],
      [bz, 'bzip2', 'child'],
      [bz, 'bzip2', 'js'],
    ] as const) {
      let seen: Compression | null = null;
      const r = await collect(file, { bzip2: mode, onCompression: (c) => (seen = c) });
      expect(seen).toBe(want);
      expect(r).toEqual(base);
    }
  });

  it('rejects a missing file', async () => {
    await expect(openMrtSource(path.join(tmp, 'missing.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('ends a truncated gzip or bzip2 archive with MrtParseError after the good records', async () => {
    const base = await collect(plain);
    for (const [file, mode] of [
      [gz, undefined],
      [bz, 'child'],
      [bz, 'js'],
    ] as const) {
      const bytes = readFileSync(file);
      const cut = path.join(tmp, `cut-${mode ?? 'gz'}${path.extname(file)}`);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const r = await collect(cut, { bzip2: mode });
      expect(r.error, `${file} ${mode}`).toBeInstanceOf(MrtParseError);
      // Every record yielded is one of the file's records, in order, from the start.
      expect(base.offsets.slice(0, r.offsets.length)).toEqual(r.offsets);
      expect((r.error as MrtParseError).byteOffset).toBeGreaterThanOrEqual(r.offsets[r.offsets.length - 1] ?? 0);
    }
  });

  it('ends a corrupt gzip archive with MrtParseError', async () => {
    const bytes = Buffer.from(readFileSync(gz));
    for (let i = 40; i < bytes.length - 8; i += 7) bytes[i] = bytes[i]! ^ 0x5a;
    const bad = path.join(tmp, 'bad.gz');
    writeFileSync(bad, bytes);
    const r = await collect(bad);
    expect(r.error).toBeInstanceOf(MrtParseError);
    expect((r.error as MrtParseError).message).toMatch(/input failed/);
  });
});
