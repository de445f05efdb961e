import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLines, iterableLines, type SourceLine } from '@/lib/replay/line-source';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'line-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<SourceLine>): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('fileLines', () => {
  it('splits on LF and CRLF, skips blank lines, keeps a last line without newline', async () => {
    const f = path.join(dir, 'a.ndjson');
    await writeFile(f, 'one\r\ntwo\n\n  \nthree ünïcode');
    expect(await collect(fileLines(f, 100))).toEqual([
      { kind: 'line', text: 'one' },
      { kind: 'line', text: 'two' },
      { kind: 'line', text: 'three ünïcode' },
    ]);
  });

  it('reports over-long lines without keeping them, across chunk boundaries', async () => {
    const f = path.join(dir, 'b.ndjson');
    const long = 'x'.repeat(600 * 1024); // spans several 256 KiB read chunks
    const spanning = 'y'.repeat(300 * 1024);
    await writeFile(f, `first\n${long}\nsecond\n${spanning}\nlast-${'z'.repeat(10)}`);
    const got = await collect(fileLines(f, 400 * 1024));
    expect(got.map((l) => (l.kind === 'line' ? l.text.slice(0, 6) : `too_long:${l.bytes}`))).toEqual([
      'first',
      `too_long:${600 * 1024}`,
      'second',
      'yyyyyy',
      'last-z',
    ]);
    expect(got[3]).toEqual({ kind: 'line', text: spanning });
  });

  it('rejects a missing file with an error', async () => {
    await expect(collect(fileLines(path.join(dir, 'missing'), 10))).rejects.toThrow(/ENOENT/);
  });
});

describe('iterableLines', () => {
  it('takes arrays and async generators, flags long lines', async () => {
    async function* gen() {
      yield 'a';
      yield '';
      yield 'b'.repeat(20);
    }
    expect(await collect(iterableLines(['x', 'y'], 10))).toEqual([
      { kind: 'line', text: 'x' },
      { kind: 'line', text: 'y' },
    ]);
    expect(await collect(iterableLines(gen(), 10))).toEqual([
      { kind: 'line', text: 'a' },
      { kind: 'too_long', bytes: 20 },
    ]);
  });
});
