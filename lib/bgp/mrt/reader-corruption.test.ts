// Corrupt input: cut files, flipped bytes, garbage, empty input. The reader must yield every good
// record before the damage, then throw MrtParseError naming the offset and record (or skip an
// invalid record whose framing is intact) — never hang, never throw anything else.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatBgpdumpLines } from '@/lib/bgp/mrt/bgpdump-format';
import { MrtParseError, readMrt } from '@/lib/bgp/mrt/reader';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { mulberry32 } from '@/lib/util/seeded-random';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/mrt');
const haveFixtures = existsSync(FIXTURES);

const prng = mulberry32;

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let o = 0; o < buf.length; o += size) yield buf.subarray(o, Math.min(buf.length, o + size));
}

interface Outcome {
  items: MrtItem[];
  skipped: number;
  error: MrtParseError | null;
}

async function decode(buf: Buffer, chunkSize = 4096): Promise<Outcome> {
  const items: MrtItem[] = [];
  let skipped = 0;
  let error: MrtParseError | null = null;
  try {
    for await (const item of readMrt(chunks(buf, chunkSize), { onSkip: () => skipped++ })) items.push(item);
  } catch (err) {
    if (!(err instanceof MrtParseError)) throw new Error(`non-MrtParseError escaped: ${String(err)}`);
    error = err;
  }
  return { items, skipped, error };
}

/** A small synthetic BGP4MP file: state change + UPDATE announcing 10.0.0.0/8 with a 2-hop path. */
function syntheticFile(records: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < records; i++) {
    const attrs = Buffer.from([0x40, 1, 1, 0, 0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9 + (i & 7), 0x40, 3, 4, 192, 0, 2, 1]);
    const nlri = Buffer.from([8, 10]);
    const update = Buffer.concat([Buffer.from([0, 0, 0, attrs.length]), attrs, nlri]);
    const msg = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 19 + update.length, 2]), update]);
    const body = Buffer.concat([Buffer.from([0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 2]), msg]);
    const header = Buffer.alloc(12);
    header.writeUInt32BE(1_700_000_000 + i, 0);
    header.writeUInt16BE(16, 4);
    header.writeUInt16BE(4, 6);
    header.writeUInt32BE(body.length, 8);
    parts.push(header, body);
  }
  return Buffer.concat(parts);
}

function recordStarts(items: MrtItem[]): number[] {
  return [...new Set(items.map((i) => i.record.byteOffset))];
}

async function sampleFiles(): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [['synthetic', syntheticFile(40)]];
  if (!haveFixtures) return out;
  for (const rel of ['mrtparse/quagga_bgp', 'mrtparse/bird-mrtdump_rib', 'mrtparse/openbgpd_rib_table']) {
    out.push([rel, readFileSync(path.join(FIXTURES, rel))]);
  }
  out.push(['bview.ipv6_unicast_add_path.gz', gunzipSync(readFileSync(path.join(FIXTURES, 'bgpdump/test_data/bview.ipv6_unicast_add_path.gz')))]);
  return out;
}

describe('readMrt on damaged input', () => {
  it('yields nothing and no error for empty input', async () => {
    expect(await decode(Buffer.alloc(0))).toEqual({ items: [], skipped: 0, error: null });
  });

  it('gives the same items whatever the chunk size', async () => {
    for (const [, file] of await sampleFiles()) {
      const whole = (await decode(file, file.length + 1)).items.flatMap(formatBgpdumpLines);
      for (const size of [1, 7, 4096]) expect((await decode(file, size)).items.flatMap(formatBgpdumpLines)).toEqual(whole);
    }
  });

  it('cut at every offset: yields every whole record before the cut, then names the cut record', async () => {
    if (!haveFixtures) console.log(`(MRT fixtures not found at ${FIXTURES}: synthetic file only)`);
    for (const [name, file] of await sampleFiles()) {
      const full = await decode(file);
      expect(full.error, name).toBeNull();
      const starts = recordStarts(full.items);
      const step = Math.max(1, Math.floor(file.length / 600));
      for (let cut = 0; cut < file.length; cut += step) {
        const r = await decode(file.subarray(0, cut), 997);
        const complete = starts.filter((s) => s < cut);
        // Items of records wholly before the cut, identical to the full decode.
        // Bounded by the cut alone, not by what the damaged decode returned, so a dropped record fails.
        const bound = starts.includes(cut) ? cut : (complete[complete.length - 1] ?? 0);
        const before = full.items.filter((i) => i.record.byteOffset < bound);
        expect(r.items.flatMap(formatBgpdumpLines), `${name} cut ${cut}`).toEqual(before.flatMap(formatBgpdumpLines));
        if (starts.includes(cut) || cut === 0) {
          expect(r.error, `${name} cut ${cut} at a record boundary`).toBeNull();
        } else {
          expect(r.error, `${name} cut ${cut}`).toBeInstanceOf(MrtParseError);
          const lastStart = complete[complete.length - 1] ?? 0;
          expect(r.error!.byteOffset).toBe(lastStart);
          expect(r.error!.recordIndex).toBe(full.items.find((i) => i.record.byteOffset === lastStart)!.record.index);
          expect(r.error!.message).toMatch(/truncated|record header/);
        }
      }
    }
  });

  it('flipped bytes: only MrtParseError or counted skips, never a hang or another error', async () => {
    const rand = prng(20261122);
    for (const [name, file] of await sampleFiles()) {
      const full = await decode(file);
      const starts = recordStarts(full.items);
      for (let round = 0; round < 150; round++) {
        const damaged = Buffer.from(file);
        const flips = 1 + Math.floor(rand() * 4);
        let firstFlip = damaged.length;
        for (let k = 0; k < flips; k++) {
          const at = Math.floor(rand() * damaged.length);
          firstFlip = Math.min(firstFlip, at);
          damaged[at] = Math.floor(rand() * 256);
        }
        // decode() fails the test on any error other than MrtParseError; on top of that, every
        // record that ends before the first damaged byte must come out exactly as from the intact file.
        const r = await decode(damaged, 512);
        const intactEnd = starts.filter((st) => st <= firstFlip).at(-1) ?? 0;
        const intact = full.items.filter((i) => i.record.byteOffset < intactEnd).flatMap(formatBgpdumpLines);
        expect(r.items.flatMap(formatBgpdumpLines).slice(0, intact.length), `${name} round ${round}`).toEqual(intact);
        if (r.error) expect(r.error.byteOffset, name).toBeGreaterThanOrEqual(intactEnd);
      }
    }
  });

  it('garbage: random bytes end in MrtParseError or skips', async () => {
    const rand = prng(7);
    for (let round = 0; round < 200; round++) {
      const junk = Buffer.alloc(1 + Math.floor(rand() * 3000));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
      await decode(junk, 333);
    }
    const r = await decode(Buffer.from('this is not an MRT file at all, just text\n'));
    expect(r.error).toBeInstanceOf(MrtParseError);
    expect(r.error!.recordIndex).toBe(0);
  });

  it('skips a record whose framing is intact but whose content is invalid, and goes on', async () => {
    const file = syntheticFile(3);
    const damaged = Buffer.from(file);
    const recLen = file.length / 3;
    damaged[recLen + 12 + 11] = 9; // second record: address family 9
    const skips: string[] = [];
    const items: MrtItem[] = [];
    for await (const item of readMrt(chunks(damaged, 100), { onSkip: (info, reason) => skips.push(`${info.index}@${info.byteOffset}: ${reason}`) })) items.push(item);
    expect(items.map((i) => i.record.index)).toEqual([0, 2]);
    expect(skips).toEqual([`1@${recLen}: BGP4MP address family 9 is not 1 or 2`]);
  });

  it('stops at an implausible record length instead of buffering the rest of the file', async () => {
    const file = syntheticFile(2);
    const damaged = Buffer.from(file);
    damaged.writeUInt32BE(0x7fffffff, file.length / 2 + 8);
    const r = await decode(damaged);
    expect(r.items.map((i) => i.record.index)).toEqual([0]);
    expect(r.error?.message).toMatch(/framing is broken \(record #1 at byte offset \d+\)/);
  });
});
