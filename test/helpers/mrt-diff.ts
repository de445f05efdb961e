// Differential comparison of our MRT reader with Debian `bgpdump -m -l` (-l: large communities), shared by the fixture test
// (lib/bgp/mrt/bgpdump-diff.int.test.ts) and the router-written MRT test
// (lib/bgp/mrt/router-mrt.int.test.ts), so both judge a file by the same rules: every line bgpdump
// prints must equal our formatted line, in order; records bgpdump is known to get wrong are taken
// out of both sides (bgpdump then runs on a copy of the file without them).

import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatBgpdumpLines, formatBgpdumpLinesLarge } from '@/lib/bgp/mrt/bgpdump-format';
import { MrtFramer } from '@/lib/bgp/mrt/framer';
import { MrtParseError, readMrt } from '@/lib/bgp/mrt/reader';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { openMrtSource } from '@/lib/sources/mrt/open';

export const BGPDUMP = '/usr/bin/bgpdump';
export const haveBgpdump = existsSync(BGPDUMP);

export interface DecodedMrt {
  items: MrtItem[];
  /** Records our reader skipped (content invalid, framing intact). */
  skipped: number[];
  /** Records decoded with a repair or guess (onWarn), sorted. */
  warned: number[];
  /** Messages of the warnings, for failure output. */
  warnings: string[];
  /** The stream ended in an MrtParseError (framing broken) — null when it ran to the end. */
  fatal: MrtParseError | null;
}

export async function decodeMrtFile(file: string): Promise<DecodedMrt> {
  const items: MrtItem[] = [];
  const skipped: number[] = [];
  const warned = new Set<number>();
  const warnings: string[] = [];
  let fatal: MrtParseError | null = null;
  try {
    for await (const item of readMrt(await openMrtSource(file), {
      onSkip: (info) => skipped.push(info.index),
      onWarn: (info, message) => {
        warned.add(info.index);
        warnings.push(`record ${info.index}: ${message}`);
      },
    })) {
      items.push(item);
    }
  } catch (err) {
    if (!(err instanceof MrtParseError)) throw err;
    fatal = err;
  }
  return { items, skipped, warned: [...warned].sort((a, b) => a - b), warnings, fatal };
}

/** Writes the records of `file` that `keep` accepts (and that precede `stopAt`) as plain MRT. */
export async function writeFilteredMrt(file: string, out: string, keep: (index: number) => boolean, stopAt: number): Promise<void> {
  const framer = new MrtFramer();
  const parts: Buffer[] = [];
  try {
    for await (const chunk of await openMrtSource(file)) {
      framer.push(chunk);
      for (;;) {
        const index = framer.index;
        if (index >= stopAt) break;
        const rec = framer.next();
        if (!rec) break;
        if (keep(index)) parts.push(Buffer.from(rec));
      }
    }
  } catch (err) {
    if (!(err instanceof MrtParseError)) throw err;
  }
  writeFileSync(out, Buffer.concat(parts));
}

/** `bgpdump -m` (or other `args`) output lines of a file; bgpdump's log goes to syslog, not here. */
export function bgpdumpLines(file: string, args: string[] = ['-m']): string[] {
  return execFileSync(BGPDUMP, [...args, file], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .split('\n')
    .filter((l) => l.length > 0);
}

export function firstDifferences(ref: string[], ours: string[], max = 5): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.max(ref.length, ours.length) && lines.length < max * 3; i++) {
    if (ref[i] !== ours[i]) lines.push(`line ${i + 1}:`, `  bgpdump: ${ref[i] ?? '(none)'}`, `  ours:    ${ours[i] ?? '(none)'}`);
  }
  return lines.join('\n');
}

export interface CompareOptions {
  /** Records left out on both sides (known bgpdump bugs); our skipped records are always left out. */
  excluded?: Iterable<number>;
  /** Applied to both sides' lines (e.g. to blank a column bgpdump prints wrongly). */
  mask?: (line: string) => string;
  /** Where a filtered copy of the file is written when records are left out. */
  tmpDir: string;
  /** Unique name of that copy inside tmpDir (default: the file's base name). */
  copyName?: string;
  /** Compare large communities too (`bgpdump -m -l`); default true. */
  largeCommunities?: boolean;
}

export interface Comparison {
  /** bgpdump's lines (masked). */
  ref: string[];
  /** Our lines (masked). */
  ours: string[];
  /** First differing lines, '' when the outputs are equal. */
  diff: string;
}

/** Compares our decode of `file` (`decoded`, from decodeMrtFile) with bgpdump -m, line by line. */
export async function compareWithBgpdump(file: string, decoded: DecodedMrt, opts: CompareOptions): Promise<Comparison> {
  const excluded = new Set([...(opts.excluded ?? []), ...decoded.skipped]);
  const stopAt = decoded.fatal ? decoded.fatal.recordIndex : Number.MAX_SAFE_INTEGER;
  let refFile = file;
  if (excluded.size > 0 || decoded.fatal) {
    refFile = path.join(opts.tmpDir, opts.copyName ?? path.basename(file));
    await writeFilteredMrt(file, refFile, (i) => !excluded.has(i), stopAt);
  }
  const mask = opts.mask ?? ((l: string) => l);
  const large = opts.largeCommunities ?? true;
  const ref = bgpdumpLines(refFile, large ? ['-m', '-l'] : ['-m']).map(mask);
  const format = large ? formatBgpdumpLinesLarge : formatBgpdumpLines;
  const ours = decoded.items.filter((i) => !excluded.has(i.record.index)).flatMap(format).map(mask);
  return { ref, ours, diff: firstDifferences(ref, ours) };
}
